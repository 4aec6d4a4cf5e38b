package dev.lockstep.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Runs everywhere: without a driver (this build machine) the CUDA probe must answer with a reason instead of
 * throwing, and creating a backend must fail with that reason, not with a linkage error.
 */
class CudaAvailabilityTest {
  @Test
  void unavailableReasonAndDeviceCountAgreeAndNeverThrow() {
    Optional<String> reason = CudaBackend.unavailableReason();
    int devices = CudaBackend.deviceCount();
    if (reason.isPresent()) {
      assertThat(reason.get()).startsWith("CUDA unavailable: ").doesNotContain("\n");
      assertThat(reason.get().length()).isGreaterThan("CUDA unavailable: ".length() + 10);
      assertThat(devices).isZero();
    } else {
      assertThat(devices).isPositive();
    }
    assertThat(CudaBackend.unavailableReason()).isEqualTo(reason); // asked twice: same answer, still no throw
  }

  @Test
  void createWithoutCudaFailsWithTheReason() {
    Optional<String> reason = CudaBackend.unavailableReason();
    if (reason.isPresent()) {
      assertThatThrownBy(() -> CudaBackend.create(0, false))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(reason.get());
    } else {
      assertThatThrownBy(() -> CudaBackend.create(CudaBackend.deviceCount(), false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not exist");
    }
  }
}
