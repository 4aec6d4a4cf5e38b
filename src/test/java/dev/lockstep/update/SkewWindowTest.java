package dev.lockstep.update;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.config.AutoUpdateConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** auto's skew measure and rule on made-up compute times (fresh jitter each run). */
class SkewWindowTest {
  private final SplittableRandom rnd = new SplittableRandom();

  private double jitter(double seconds) {
    return seconds * (1 + rnd.nextDouble(-0.1, 0.1));
  }

  @Test
  void aRankThreeTimesSlowerGivesASkewNearThree() {
    SkewWindow w = new SkewWindow(2);
    for (int s = 0; s < 10; s++) {
      w.add(0, jitter(0.015), 1);
      w.add(1, jitter(0.045), 1);
    }
    assertThat(w.skew()).isBetween(3 * 0.9 / 1.1, 3 * 1.1 / 0.9);
    assertThat(w.describe()).startsWith("ms/step by rank: ").contains("(10)");
  }

  @Test
  void oneLongPauseDoesNotMakeAStraggler() {
    SkewWindow w = new SkewWindow(3);
    for (int s = 0; s < 10; s++) {
      for (int r = 0; r < 3; r++) {
        w.add(r, jitter(0.015) + (r == 2 && s == 4 ? 0.5 : 0), 1); // a 500 ms GC pause on rank 2
      }
    }
    assertThat(w.skew()).isLessThan(1.3);
  }

  @Test
  void roundsCountTheirMeanStepAndARankWithoutStepsIsInfinitelySlow() {
    SkewWindow w = new SkewWindow(2);
    w.add(0, 0.08, 8); // a local-SGD round: 8 steps of 10 ms
    w.add(1, 0.09, 3); // 3 steps of 30 ms
    assertThat(w.skew()).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(w.totalSteps()).isEqualTo(11);
    assertThat(w.fewestSteps()).isEqualTo(3);
    w.reset();
    w.add(0, 0.01, 1);
    assertThat(w.skew()).isInfinite();
  }

  @Test
  void thePolicyJudgesFullWindowsOnly() {
    SkewPolicy policy = new SkewPolicy(new AutoUpdateConfig(1.5, 10, 1.15), 2);
    SkewWindow w = new SkewWindow(2);
    for (int s = 0; s < 9; s++) {
      w.add(0, 0.01, 1);
      w.add(1, 0.03, 1);
      assertThat(policy.straggler(w)).isNull();
    }
    w.add(0, 0.01, 1);
    w.add(1, 0.03, 1);
    assertThat(policy.straggler(w)).startsWith("slowest/median compute time 3.00 >= straggler_ratio 1.5 over 10 steps");
    assertThat(w.totalSteps()).isZero(); // judged windows start afresh
    for (int s = 0; s < 10; s++) { // async: 10 × 2 steps in all, skew 1.1
      w.add(0, 0.010, 1);
      w.add(1, 0.011, 1);
    }
    assertThat(policy.recovered(w)).startsWith("slowest/median compute time 1.10 < recover_ratio 1.15");
  }
}
