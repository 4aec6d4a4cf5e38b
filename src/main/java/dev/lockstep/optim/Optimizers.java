package dev.lockstep.optim;

import dev.lockstep.config.OptimizerConfig;
import dev.lockstep.tensor.Backend;
import java.util.Locale;

/** Optimizer by config name: sgd | adam (L2 weight decay) | adamw (decoupled weight decay). */
public final class Optimizers {
  private Optimizers() {}

  public static Optimizer create(OptimizerConfig cfg, Backend be, long paramCount) {
    String type = cfg.type().trim().toLowerCase(Locale.ROOT);
    float wd = cfg.weightDecay().floatValue();
    return switch (type) {
      case "sgd" -> new Sgd(be, paramCount, cfg.momentum().floatValue(), cfg.nesterov(), wd);
      case "adam", "adamw" -> new Adam(be, paramCount, cfg.beta1().floatValue(), cfg.beta2().floatValue(),
          cfg.eps().floatValue(), wd, type.equals("adamw"));
      default -> throw new IllegalArgumentException("optimizer.type: unknown optimizer '" + cfg.type()
          + "' (expected sgd, adam, adamw)");
    };
  }
}
