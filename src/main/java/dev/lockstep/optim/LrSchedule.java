package dev.lockstep.optim;

import dev.lockstep.config.OptimizerConfig;
import dev.lockstep.config.ScheduleConfig;
import java.util.Locale;

/**
 * Learning rate per (0-based) step. Warm-up: lr·step/warmup_steps for step < warmup_steps (so step 0 gets 0 and
 * step warmup_steps the full rate). After it, with s = step − warmup_steps:
 * <ul>
 *   <li>constant: lr</li>
 *   <li>step: lr·gamma^⌊s/step_size⌋</li>
 *   <li>cosine: min_lr + (lr − min_lr)·(1 + cos(π·p))/2, p = s/(totalSteps − warmup_steps) clamped to [0, 1]</li>
 * </ul>
 */
public final class LrSchedule {
  private enum Kind { CONSTANT, STEP, COSINE }

  private final Kind kind;
  private final double base;
  private final long warmup;
  private final long stepSize;
  private final double gamma;
  private final double minLr;
  private final long decaySteps;

  private LrSchedule(Kind kind, double base, long warmup, long stepSize, double gamma, double minLr, long decaySteps) {
    this.kind = kind;
    this.base = base;
    this.warmup = warmup;
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.minLr = minLr;
    this.decaySteps = decaySteps;
  }

  /** {@code totalSteps}: steps in the whole run (cosine reaches min_lr there). */
  public static LrSchedule of(OptimizerConfig cfg, long totalSteps) {
    ScheduleConfig s = cfg.schedule();
    Kind kind = switch (s.type().trim().toLowerCase(Locale.ROOT)) {
      case "constant" -> Kind.CONSTANT;
      case "step" -> Kind.STEP;
      case "cosine" -> Kind.COSINE;
      default -> throw new IllegalArgumentException("optimizer.schedule.type: unknown schedule '" + s.type()
          + "' (expected constant, step, cosine)");
    };
    if (s.warmupSteps() < 0) {
      throw new IllegalArgumentException("optimizer.schedule.warmup_steps: must be >= 0, got " + s.warmupSteps());
    }
    if (kind == Kind.STEP && s.stepSize() <= 0) {
      throw new IllegalArgumentException("optimizer.schedule.step_size: must be > 0, got " + s.stepSize());
    }
    long decaySteps = Math.max(1, totalSteps - s.warmupSteps());
    return new LrSchedule(kind, cfg.lr(), s.warmupSteps(), s.stepSize(), s.gamma(), s.minLr(), decaySteps);
  }

  public double lr(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("learning-rate step must be >= 0, got " + step);
    }
    if (step < warmup) {
      return base * step / warmup;
    }
    long s = step - warmup;
    return switch (kind) {
      case CONSTANT -> base;
      case STEP -> base * Math.pow(gamma, s / stepSize);
      case COSINE -> {
        double p = Math.min(1.0, (double) s / decaySteps);
        yield minLr + (base - minLr) * (1.0 + Math.cos(Math.PI * p)) / 2.0;
      }
    };
  }
}
