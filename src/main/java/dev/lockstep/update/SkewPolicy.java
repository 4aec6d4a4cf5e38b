package dev.lockstep.update;

import dev.lockstep.config.AutoUpdateConfig;
import java.util.Locale;

/**
 * auto's rule, applied to full windows of per-rank compute times: in sync, a skew at or above straggler_ratio calls
 * for async; in async, a window under recover_ratio calls for sync. Returns the reason (for the log) or null.
 */
final class SkewPolicy {
  private final AutoUpdateConfig cfg;
  private final int ranks;

  SkewPolicy(AutoUpdateConfig cfg, int ranks) {
    this.cfg = cfg;
    this.ranks = ranks;
  }

  int windowSteps() {
    return cfg.windowSteps();
  }

  /** Sync phase: a window is window_steps steps of every rank. */
  String straggler(SkewWindow w) {
    if (w.fewestSteps() < cfg.windowSteps()) {
      return null;
    }
    double skew = w.skew();
    String figures = w.describe();
    w.reset();
    return skew >= cfg.stragglerRatio() ? String.format(Locale.ROOT,
        "slowest/median compute time %.2f >= straggler_ratio %s over %d steps (%s)", skew,
        num(cfg.stragglerRatio()), cfg.windowSteps(), figures) : null;
  }

  /** Async phase: ranks step at their own pace, so a window is window_steps × ranks steps in all. */
  String recovered(SkewWindow w) {
    if (w.totalSteps() < (long) cfg.windowSteps() * ranks) {
      return null;
    }
    double skew = w.skew();
    String figures = w.describe();
    w.reset();
    return skew < cfg.recoverRatio() ? String.format(Locale.ROOT,
        "slowest/median compute time %.2f < recover_ratio %s over a window of %d steps (%s)", skew,
        num(cfg.recoverRatio()), cfg.windowSteps() * ranks, figures) : null;
  }

  private static String num(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
