package dev.lockstep.update;

import dev.lockstep.config.AutoUpdateConfig;
import java.util.Locale;

/**
 * auto's rule, applied to full windows of per-rank compute times: in sync, a skew at or above straggler_ratio calls
 * for async; in async, a window under recover_ratio calls for sync, if the ranks' step counts in it are also less
 * than straggler_ratio apart. Returns the reason (for the log) or null.
 *
 * <p>A plain straggler need not wait for the full window: as soon as, over the last {@link #EARLY_STEPS} steps, even
 * the slowest rank's fastest step took straggler_ratio × the median rank's slowest ({@link SkewWindow#decisiveSkew}),
 * the window is decided early. Every sync step the ranks wait for the straggler costs a
 * step of the fast ranks; the unanimous test keeps a pause or a burst of JIT compilation (which slow one step, or
 * a few steps by a little) from deciding alone.
 */
final class SkewPolicy {
  /** Consecutive steps that decide a window early: one step proves nothing, three in a row do. */
  static final int EARLY_STEPS = 3;
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
    long steps = w.fewestSteps();
    if (steps >= EARLY_STEPS && steps < cfg.windowSteps() && w.decisiveSkew(EARLY_STEPS) >= cfg.stragglerRatio()) {
      String reason = String.format(Locale.ROOT, "each of the slowest rank's last %d steps took >= straggler_ratio "
          + "%s x the median rank's slowest of them (%s; slowest/median %.2f)", EARLY_STEPS, num(cfg.stragglerRatio()),
          w.describe(), w.skew());
      w.reset();
      return reason;
    }
    if (steps < cfg.windowSteps()) {
      return null;
    }
    double skew = w.skew();
    String reason = skew >= cfg.stragglerRatio() ? String.format(Locale.ROOT, // only then: String.format is not cheap
        "slowest/median compute time %.2f >= straggler_ratio %s over %d steps (%s)", skew,
        num(cfg.stragglerRatio()), cfg.windowSteps(), w.describe()) : null;
    w.reset();
    return reason;
  }

  /** Async phase: ranks step at their own pace, so a window is window_steps × ranks steps in all. */
  String recovered(SkewWindow w) {
    if (w.totalSteps() < (long) cfg.windowSteps() * ranks) {
      return null;
    }
    double skew = w.skew(), pace = w.paceSkew();
    // The step counts must agree too: a rank that took a fraction of the others' steps still straggles, whatever
    // its compute times say (only below straggler_ratio, since a short window's counts are noisy).
    String reason = skew < cfg.recoverRatio() && pace < cfg.stragglerRatio() ? String.format(Locale.ROOT,
        "slowest/median compute time %.2f < recover_ratio %s over a window of %d steps (%s)", skew,
        num(cfg.recoverRatio()), cfg.windowSteps() * ranks, w.describe()) : null;
    w.reset();
    return reason;
  }

  private static String num(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
