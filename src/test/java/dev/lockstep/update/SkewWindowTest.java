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
    for (int s = 0; s < 9; s++) { // every third step of rank 1 keeps pace: no early verdict, the full window decides
      w.add(0, 0.01, 1);
      w.add(1, s % 3 == 2 ? 0.01 : 0.03, 1);
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

  @Test
  void aPlainStragglerIsDecidedAfterThreeSteps() {
    SkewPolicy policy = new SkewPolicy(new AutoUpdateConfig(1.5, 10, 1.15), 3);
    SkewWindow w = new SkewWindow(3);
    for (int s = 1; s <= SkewPolicy.EARLY_STEPS; s++) {
      w.add(0, jitter(0.012), 1);
      w.add(1, jitter(0.036), 1); // 3x
      w.add(2, jitter(0.013), 1);
      String reason = policy.straggler(w);
      if (s < SkewPolicy.EARLY_STEPS) {
        assertThat(reason).isNull();
      } else {
        assertThat(reason).startsWith("each of the slowest rank's last 3 steps took >= straggler_ratio 1.5 x the "
            + "median rank's slowest of them (ms/step by rank: ");
        assertThat(w.totalSteps()).isZero();
      }
    }
  }

  @Test
  void aSlowFirstStepOnTheFastRankOnlyDelaysTheEarlyVerdict() {
    SkewPolicy policy = new SkewPolicy(new AutoUpdateConfig(1.5, 10, 1.15), 2);
    SkewWindow w = new SkewWindow(2);
    w.add(0, 0.042, 1); // JIT compilation on rank 0: as slow as the straggler
    w.add(1, jitter(0.045), 1);
    for (int s = 2; s <= 4; s++) {
      w.add(0, jitter(0.014), 1);
      w.add(1, jitter(0.045), 1);
      String reason = policy.straggler(w);
      if (s < 4) {
        assertThat(reason).as("step %d", s).isNull();
      } else {
        assertThat(reason).startsWith("each of the slowest rank's last 3 steps");
      }
    }
  }

  @Test
  void stepsThatOverlapWaitForTheFullWindow() {
    SkewPolicy policy = new SkewPolicy(new AutoUpdateConfig(1.5, 10, 1.15), 2);
    SkewWindow w = new SkewWindow(2);
    // Rank 1 is 1.8x slower by its median, but every third of its steps keeps pace with rank 0, so no three steps
    // in a row are 1.5x apart: only the full window may decide.
    double[] slow = {0.036, 0.036, 0.020, 0.036, 0.036, 0.020, 0.036, 0.036, 0.020, 0.036};
    for (int s = 0; s < 9; s++) {
      w.add(0, s == 0 ? 0.019 : 0.020, 1);
      w.add(1, slow[s], 1);
      if (s >= SkewPolicy.EARLY_STEPS - 1) {
        assertThat(w.decisiveSkew(SkewPolicy.EARLY_STEPS)).isLessThan(1.5);
      }
      assertThat(policy.straggler(w)).as("step %d", s + 1).isNull();
    }
    w.add(0, 0.020, 1);
    w.add(1, slow[9], 1);
    assertThat(policy.straggler(w)).startsWith("slowest/median compute time 1.80 >= straggler_ratio 1.5 over 10");
  }

  @Test
  void aPauseOrAJitBurstOnAHealthyRankIsNotAStraggler() {
    SkewPolicy policy = new SkewPolicy(new AutoUpdateConfig(1.5, 10, 1.15), 2);
    for (int pausedStep = 0; pausedStep < 3; pausedStep++) { // one 500 ms pause among the first steps
      SkewWindow w = new SkewWindow(2);
      for (int s = 0; s < 10; s++) {
        w.add(0, jitter(0.015), 1);
        w.add(1, jitter(0.015) + (s == pausedStep ? 0.5 : 0), 1);
        assertThat(policy.straggler(w)).isNull();
      }
    }
    SkewWindow w = new SkewWindow(2); // rank 1 compiles late: its first two steps 3x, then it keeps pace
    for (int s = 0; s < 10; s++) {
      w.add(0, jitter(0.015), 1);
      w.add(1, jitter(0.015) * (s < 2 ? 3 : 1), 1);
      assertThat(policy.straggler(w)).isNull();
    }
  }

  @Test
  void evenComputeTimesDoNotRecoverWhileARankBarelySteps() {
    SkewPolicy policy = new SkewPolicy(new AutoUpdateConfig(1.5, 10, 1.15), 2);
    SkewWindow w = new SkewWindow(2);
    for (int s = 0; s < 19; s++) { // the fast rank's compute inflated by contention: as slow as the straggler's
      w.add(0, jitter(0.0096), 1);
    }
    w.add(1, 0.0096, 1);
    assertThat(w.skew()).isLessThan(1.15);
    assertThat(w.paceSkew()).isEqualTo(19.0);
    assertThat(policy.recovered(w)).isNull();
    for (int s = 0; s < 11; s++) { // 11 and 9 steps: counts that close are noise, the ranks keep pace
      w.add(0, jitter(0.010), 1);
    }
    for (int s = 0; s < 9; s++) {
      w.add(1, 0.010, 1);
    }
    assertThat(policy.recovered(w)).startsWith("slowest/median compute time ");
  }
}
