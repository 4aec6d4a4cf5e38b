package dev.lockstep.launch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RankEntryTest {
  private static boolean rank(String... args) {
    return RankEntry.isMpjRankInvocation(args);
  }

  @Test
  void recognisesThePrefixOfEveryMpjStarter() {
    assertThat(rank("0", "2", "smpdev", "train", "-c", "x.yaml")).isTrue(); // MulticoreStarter
    assertThat(rank("3", "#Number of Processes;4;#Server Port;4711", "niodev", "train")).isTrue(); // daemon
    assertThat(rank("1", "4", "hybdev")).isTrue();
    assertThat(rank("0", "2", "mxdev")).isTrue();
    assertThat(rank("0", "2", "multicore", "--task=x.Y")).isTrue();
  }

  @Test
  void leavesUserCommandLinesToTheCli() {
    assertThat(rank()).isFalse();
    assertThat(rank("train", "-c", "x.yaml")).isFalse();
    assertThat(rank("0", "2")).isFalse();
    assertThat(rank("0", "2", "train")).isFalse();
    assertThat(rank("-1", "2", "niodev")).isFalse();
    assertThat(rank("x", "2", "niodev")).isFalse();
    assertThat(rank("bench", "--np", "niodev")).isFalse();
    assertThat(RankEntry.isMpjRankInvocation(null)).isFalse();
  }

  @Test
  void describesFailuresInOneLine() {
    assertThat(RankEntry.describe(new IllegalStateException("weights differ"))).isEqualTo("weights differ");
    assertThat(RankEntry.describe(new ArrayIndexOutOfBoundsException("Index 5 out of bounds for length 3")))
        .isEqualTo("ArrayIndexOutOfBoundsException: Index 5 out of bounds for length 3");
    assertThat(RankEntry.describe(new NullPointerException())).isEqualTo("java.lang.NullPointerException");
    assertThat(RankEntry.describe(new OutOfMemoryError("Java heap space")))
        .isEqualTo("OutOfMemoryError: Java heap space");
  }
}
