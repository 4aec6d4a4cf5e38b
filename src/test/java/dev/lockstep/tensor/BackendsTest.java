package dev.lockstep.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The CPU-fallback line: short by default, the loader's reason under LOCKSTEP_DEBUG=1. */
class BackendsTest {
  private static final String REASON = "CUDA unavailable: cannot load the CUDA libraries (java.lang."
      + "UnsatisfiedLinkError: no jnicudart in java.library.path: /usr/java/packages/lib:/usr/lib64:/lib64:/lib:/usr/lib"
      + "; libcuda.so.1: cannot open shared object file: No such file or directory); no NVIDIA driver?";

  @Test
  void theFallbackLineIsShortAndPointsToTheDetails() {
    String line = Backends.fallbackLine(REASON, false);
    assertThat(line).hasSizeLessThan(100).startsWith("lockstep: no usable GPU; using the CPU backend")
        .contains("lockstep doctor", "LOCKSTEP_DEBUG=1").doesNotContain("UnsatisfiedLinkError");
    assertThat(Backends.fallbackLine(REASON, true)).contains(REASON).endsWith("; using the CPU backend");
  }
}
