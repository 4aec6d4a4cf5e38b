package dev.lockstep.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.config.OptimizerConfig;
import dev.lockstep.config.ScheduleConfig;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
  private static LrSchedule schedule(String type, long warmup, long stepSize, double gamma, double minLr, long total) {
    OptimizerConfig cfg = new OptimizerConfig("sgd", 0.4, null, null, null, null, null, null,
        new ScheduleConfig(type, warmup, stepSize, gamma, minLr));
    return LrSchedule.of(cfg, total);
  }

  @Test
  void constantWithLinearWarmupFromZero() {
    LrSchedule s = schedule("constant", 8, 1, 1, 0, 100);
    assertThat(s.lr(0)).isZero();
    assertThat(s.lr(2)).isCloseTo(0.1, within(1e-12));
    assertThat(s.lr(4)).isCloseTo(0.2, within(1e-12));
    assertThat(s.lr(7)).isCloseTo(0.35, within(1e-12));
    assertThat(s.lr(8)).isEqualTo(0.4);
    assertThat(s.lr(1_000_000)).isEqualTo(0.4);
    assertThat(schedule("constant", 0, 1, 1, 0, 100).lr(0)).isEqualTo(0.4); // no warm-up: full rate at once
  }

  @Test
  void stepDecayCountsFromTheEndOfWarmup() {
    LrSchedule noWarmup = schedule("step", 0, 10, 0.5, 0, 100);
    assertThat(noWarmup.lr(0)).isEqualTo(0.4);
    assertThat(noWarmup.lr(9)).isEqualTo(0.4);
    assertThat(noWarmup.lr(10)).isCloseTo(0.2, within(1e-12));
    assertThat(noWarmup.lr(25)).isCloseTo(0.1, within(1e-12));
    LrSchedule warm = schedule("step", 5, 10, 0.1, 0, 100);
    assertThat(warm.lr(14)).isEqualTo(0.4);
    assertThat(warm.lr(15)).isCloseTo(0.04, within(1e-12));
    assertThat(warm.lr(35)).isCloseTo(0.0004, within(1e-12));
  }

  @Test
  void cosineReachesMinLrAtTheEndAndStaysThere() {
    LrSchedule s = schedule("cosine", 10, 1, 1, 0.02, 110);
    assertThat(s.lr(5)).isCloseTo(0.2, within(1e-12));
    assertThat(s.lr(10)).isCloseTo(0.4, within(1e-12));
    assertThat(s.lr(35)).isCloseTo(0.02 + 0.38 * (1 + Math.cos(Math.PI / 4)) / 2, within(1e-12));
    assertThat(s.lr(60)).isCloseTo(0.21, within(1e-12));
    assertThat(s.lr(110)).isCloseTo(0.02, within(1e-12));
    assertThat(s.lr(500)).isCloseTo(0.02, within(1e-12));
    LrSchedule tooShort = schedule("cosine", 10, 1, 1, 0, 5); // run shorter than the warm-up: no division by zero
    assertThat(tooShort.lr(10)).isEqualTo(0.4);
    assertThat(tooShort.lr(11)).isZero();
  }

  @Test
  void badSettingsNameTheKey() {
    assertThatThrownBy(() -> schedule("linear", 0, 1, 1, 0, 10))
        .hasMessage("optimizer.schedule.type: unknown schedule 'linear' (expected constant, step, cosine)");
    assertThatThrownBy(() -> schedule("step", 0, 0, 1, 0, 10)).hasMessageStartingWith("optimizer.schedule.step_size:");
    assertThatThrownBy(() -> schedule("constant", -1, 1, 1, 0, 10))
        .hasMessageStartingWith("optimizer.schedule.warmup_steps:");
  }
}
