package dev.lockstep.objective;

import dev.lockstep.config.ObjectiveConfig;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** Objective by config name. Adding one = its class + one line in {@link #REGISTRY}. */
public final class Objectives {
  private static final Map<String, Supplier<Objective>> REGISTRY = Map.of(
      "cross_entropy", CrossEntropy::new,
      "mse", MeanSquaredError::new);

  private Objectives() {}

  public static Objective create(ObjectiveConfig cfg) {
    String type = cfg.type().trim().toLowerCase(Locale.ROOT);
    Supplier<Objective> make = REGISTRY.get(type);
    if (make == null) {
      throw new IllegalArgumentException("objective.type: unknown objective '" + cfg.type() + "' (expected "
          + String.join(", ", REGISTRY.keySet().stream().sorted().toList()) + ")");
    }
    return make.get();
  }
}
