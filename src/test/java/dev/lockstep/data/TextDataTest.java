package dev.lockstep.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.config.DataConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data.format text: reading and splitting, the vocabulary, validation windows and per-rank training windows. */
class TextDataTest {
  @TempDir Path dir;

  private static DataConfig text(Path path, int context, double valFraction) {
    return new DataConfig("text", null, null, null, null, null, 4, null, null, null, null, null, null,
        path.toString(), context, valFraction);
  }

  @Test
  void aDirectoryIsReadFileByFileWithEveryFileSplitAndFortuneSeparatorsBlank() throws IOException {
    Files.writeString(dir.resolve("a"), "abc\n%\nabd\n%\nxyz\n%\nxyw\n");
    Files.writeString(dir.resolve("b"), "hello\nworld\n");
    Files.write(dir.resolve("a.dat"), new byte[] {(byte) 0xff, 0, 1}); // fortune index: skipped
    Files.createSymbolicLink(dir.resolve("a.u8"), dir.resolve("a")); // link: skipped
    TextCorpus c = TextCorpus.load(text(dir, 2, 0.5));
    assertThat(c.files()).isEqualTo(2);
    // "a" becomes "abc\n\nabd\n\nxyz\n\nxyw\n" (19 chars): 50% is 9, the next line starts at 10; "b": at 6.
    String train = "abc\n\nabd\n\n" + "hello\n";
    String val = "xyz\n\nxyw\n" + "world\n";
    assertThat(decode(c, c.trainIds())).isEqualTo(train);
    assertThat(c.vocabulary().size()).isEqualTo((int) train.chars().distinct().count());
    // x, y, z, w, r never occur in training text: dropped from validation, and counted.
    assertThat(decode(c, c.validationIds())).isEqualTo("\n\n\nold\n");
    assertThat(c.droppedValidationChars()).isEqualTo(val.length() - 7);
  }

  @Test
  void vocabularyRoundTripsThroughJsonWithAnyCharacter() throws IOException {
    CharVocabulary v = CharVocabulary.of("héllo\n\t\"\\ 𝄞 wörld");
    Path f = dir.resolve(CharVocabulary.FILE);
    Files.write(f, v.toJson());
    CharVocabulary back = CharVocabulary.read(f);
    assertThat(back.size()).isEqualTo(v.size());
    for (int i = 0; i < v.size(); i++) {
      assertThat(back.decode(i)).isEqualTo(v.decode(i));
      assertThat(back.id(v.decode(i).codePointAt(0))).isEqualTo(i);
    }
    assertThat(v.id('z')).isEqualTo(-1);
    Files.writeString(f, "{\"chars\": [\"ab\"]}");
    assertThatThrownBy(() -> CharVocabulary.read(f)).hasMessageContaining("chars[0] is not one character");
  }

  @Test
  void badTextIsAClearError() throws IOException {
    Files.write(dir.resolve("bad"), new byte[] {'a', (byte) 0xc3, (byte) 0x28});
    assertThatThrownBy(() -> TextCorpus.load(text(dir, 2, 0.5))).hasMessageContaining("bad: not UTF-8 text");
    assertThatThrownBy(() -> TextCorpus.load(text(dir.resolve("nope"), 2, 0.5)))
        .hasMessageContaining("data.path: no such file or directory");
    Files.writeString(dir.resolve("bad"), "short\n");
    assertThatThrownBy(() -> TextCorpus.load(text(dir.resolve("bad"), 8, 0.5)))
        .hasMessageContaining("data.context 8 needs at least 10 and 9");
  }

  @Test
  void validationWindowsCoverTheTextWithTheirNextCharacterAsLabel() {
    TextCorpus c = TextCorpus.of("abcdefgh", "abcdefgha", 1, dir, 3);
    Dataset all = c.validationWindows(3, 3, 0); // ids of a..h are 0..7
    assertThat(all.size()).isEqualTo(2);
    assertThat(all.width()).isEqualTo(4);
    assertThat(all.features()).containsExactly(0, 1, 2, 3, 3, 4, 5, 6);
    assertThat(all.labels()).containsExactly(3, 6);
    assertThat(c.validationWindows(3, 1, 0).size()).isEqualTo(6);
    assertThat(c.validationWindows(3, 1, 4).size()).isEqualTo(4);
  }

  @Test
  void unigramBaselineIsTheCrossEntropyOfTrainingFrequencies() {
    TextCorpus c = TextCorpus.of("aaab", "abab", 1, dir, 1);
    double expected = -(2 * Math.log(0.75) + 2 * Math.log(0.25)) / 4 / Math.log(2);
    assertThat(c.unigramBitsPerChar()).isCloseTo(expected, within(1e-12));
  }

  @Test
  void kMicroBatchesOnNRanksTakeTheWindowsOfOneRankWithBatchKNB() {
    int[] ids = new int[700];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 5 + i / 7) % 13;
    }
    int context = 4, ranks = 2, k = 3, b = 2;
    TextWindows single = new TextWindows(ids, context, 0, 1, k * ranks * b, 17);
    TextWindows[] multi = {new TextWindows(ids, context, 0, ranks, b, k, 17),
        new TextWindows(ids, context, 1, ranks, b, k, 17)};
    assertThat(multi[0].stepsPerEpoch()).isEqualTo(single.stepsPerEpoch());
    Batch big = new Batch(k * ranks * b, context + 1);
    Batch small = new Batch(b, context + 1);
    single.startEpoch(1);
    multi[0].startEpoch(1);
    multi[1].startEpoch(1);
    while (single.next(big)) {
      for (int m = 0; m < k; m++) {
        for (int r = 0; r < ranks; r++) {
          assertThat(multi[r].next(small)).isTrue();
          assertThat(Arrays.copyOf(small.indices(), b)).containsExactly(
              Arrays.copyOfRange(big.indices(), (m * ranks + r) * b, (m * ranks + r + 1) * b));
        }
      }
      assertThat(multi[0].stepInEpoch()).isEqualTo(single.stepInEpoch());
    }
    assertThat(multi[0].next(small)).isFalse();
  }

  @Test
  void nRanksWithBatchBTakeTheWindowsOfOneRankWithBatchNB() {
    int[] ids = new int[500];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 7 + i / 13) % 11;
    }
    int context = 5;
    for (int ranks : new int[] {2, 3}) {
      TextWindows single = new TextWindows(ids, context, 0, 1, 4 * ranks, 99);
      TextWindows[] multi = new TextWindows[ranks];
      for (int r = 0; r < ranks; r++) {
        multi[r] = new TextWindows(ids, context, r, ranks, 4, 99);
      }
      assertThat(multi[0].stepsPerEpoch()).isEqualTo(single.stepsPerEpoch());
      Batch big = new Batch(4 * ranks, context + 1);
      Batch small = new Batch(4, context + 1);
      for (int epoch = 0; epoch < 2; epoch++) {
        single.startEpoch(epoch);
        for (TextWindows m : multi) {
          m.startEpoch(epoch);
        }
        Set<Integer> previous = Set.of();
        while (single.next(big)) {
          Set<Integer> starts = new HashSet<>();
          for (int r = 0; r < ranks; r++) {
            assertThat(multi[r].next(small)).isTrue();
            for (int k = 0; k < 4; k++) {
              int row = r * 4 + k;
              assertThat(small.indices()[k]).isEqualTo(big.indices()[row]);
              assertThat(Arrays.copyOfRange(small.x(), k * 6, k * 6 + 6))
                  .containsExactly(Arrays.copyOfRange(big.x(), row * 6, row * 6 + 6));
              int start = small.indices()[k];
              for (int j = 0; j <= context; j++) {
                assertThat(small.x()[k * 6 + j]).isEqualTo(ids[start + j]);
              }
              assertThat(small.labels()[k]).isEqualTo(ids[start + context]);
              starts.add(start);
            }
          }
          assertThat(starts).as("windows of one step are distinct across ranks").hasSize(4 * ranks);
          assertThat(starts).as("consecutive steps draw new windows").isNotEqualTo(previous);
          previous = starts;
        }
        for (TextWindows m : multi) {
          assertThat(m.next(small)).isFalse();
        }
      }
    }
  }

  @Test
  void tooFewWindowsForAGlobalBatchIsAClearError() {
    assertThatThrownBy(() -> new TextWindows(new int[10], 5, 0, 2, 3, 1))
        .hasMessageContaining("2 ranks × 3 windows per step needs at least that many distinct windows; "
            + "the training text has 5");
  }

  private static String decode(TextCorpus c, int[] ids) {
    StringBuilder s = new StringBuilder();
    for (int id : ids) {
      s.append(c.vocabulary().decode(id));
    }
    return s.toString();
  }
}
