package dev.lockstep.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** When the gradients go through NCCL, when through host memory, and when `nccl` is refused. */
class NcclChoiceTest {
  private static final Supplier<Optional<String>> LOADED = Optional::empty;
  private static final Supplier<Optional<String>> MISSING =
      () -> Optional.of("cannot load libnccl (libnccl.so.2: not found)");

  @Test
  void autoAndNcclUseNcclWhenEveryRankOfTheJvmHasItsOwnGpu() {
    for (String algorithm : new String[] {"auto", "nccl"}) {
      assertThat(NcclChoice.decide(algorithm, 2, true, true, 2, LOADED)).isEqualTo(new NcclChoice(true, null));
      assertThat(NcclChoice.decide(algorithm, 4, true, true, 8, LOADED).useNccl()).isTrue();
    }
  }

  @Test
  void ranksSharingAGpuTakeTheHostPathWithOneLineWhenNcclWasAskedFor() {
    NcclChoice shared = NcclChoice.decide("nccl", 2, true, true, 1, LOADED);
    assertThat(shared.useNccl()).isFalse();
    assertThat(shared.note()).isEqualTo("comm.algorithm nccl: 2 ranks share 1 GPU(s), which NCCL cannot group; "
        + "gradients go through host memory (shm) instead").doesNotContain("\n");
    assertThat(NcclChoice.decide("auto", 3, true, true, 2, LOADED)).isEqualTo(new NcclChoice(false, null));
  }

  @Test
  void otherAlgorithmsAndASingleRankNeverUseNccl() {
    for (String algorithm : new String[] {"shm", "shm_process", "ring", "mpj"}) {
      assertThat(NcclChoice.decide(algorithm, 2, true, true, 2, LOADED)).isEqualTo(new NcclChoice(false, null));
    }
    assertThat(NcclChoice.decide("nccl", 1, true, true, 1, MISSING)).isEqualTo(new NcclChoice(false, null));
  }

  @Test
  void autoFallsBackQuietlyWhereNcclCannotRun() {
    assertThat(NcclChoice.decide("auto", 2, true, false, 0, MISSING).useNccl()).as("cpu backend").isFalse();
    assertThat(NcclChoice.decide("auto", 2, false, true, 2, LOADED).useNccl()).as("rank processes").isFalse();
    assertThat(NcclChoice.decide("auto", 2, true, true, 2, MISSING)).as("no libnccl")
        .isEqualTo(new NcclChoice(false, null));
  }

  @Test
  void ncclDemandedWhereItCannotRunIsAnErrorNamingTheKeyAndTheReason() {
    assertThatThrownBy(() -> NcclChoice.decide("nccl", 2, true, false, 0, MISSING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("comm.algorithm: nccl needs backend.device cuda with a usable GPU; this run uses the CPU backend");
    assertThatThrownBy(() -> NcclChoice.decide("nccl", 2, false, true, 2, LOADED))
        .hasMessageStartingWith("comm.algorithm: nccl needs the ranks as threads of one JVM (--dev multicore)");
    assertThatThrownBy(() -> NcclChoice.decide("nccl", 2, true, true, 2, MISSING))
        .hasMessage("comm.algorithm: nccl is unavailable here: cannot load libnccl (libnccl.so.2: not found)");
  }

  @Test
  void theLibraryIsProbedOnlyWhenEverythingElseFits() {
    Supplier<Optional<String>> mustNotBeAsked = () -> {
      throw new AssertionError("probed libnccl");
    };
    NcclChoice.decide("ring", 2, true, true, 2, mustNotBeAsked);
    NcclChoice.decide("auto", 1, true, true, 1, mustNotBeAsked);
    NcclChoice.decide("auto", 2, true, false, 0, mustNotBeAsked);
    NcclChoice.decide("auto", 2, true, true, 1, mustNotBeAsked);
  }

  @Test
  void withoutADriverNcclIsUnavailableForTheSameReasonAsCuda() {
    org.junit.jupiter.api.Assumptions.assumeTrue(CudaBackend.unavailableReason().isPresent(), "a GPU is usable here");
    assertThat(CudaNccl.unavailableReason()).isEqualTo(CudaBackend.unavailableReason());
  }
}
