package dev.lockstep.objective;

import dev.lockstep.config.ObjectiveConfig;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Objective by config name. Adding one = its class + one line in {@link #REGISTRY}. */
public final class Objectives {
  private static final Map<String, Function<ObjectiveConfig, Objective>> REGISTRY = Map.of(
      "cross_entropy", c -> new CrossEntropy(c.labelSmoothing(), classWeights(c.weights())),
      "binary_cross_entropy", c -> new BinaryCrossEntropy(),
      "mse", c -> new MeanSquaredError(),
      "mae", c -> new MeanAbsoluteError(),
      "huber", c -> new Huber(c.delta()),
      "hinge", c -> new Hinge(!"one_vs_rest".equals(c.multiclass()), c.squared()),
      "kl_divergence", c -> new KlDivergence());

  /** Objectives that score one class id per row (the others compare against value rows). */
  public static final List<String> CLASS_ID_OBJECTIVES = List.of("cross_entropy", "hinge");
  /** Objectives for real-valued targets. */
  public static final List<String> REGRESSION_OBJECTIVES = List.of("mse", "mae", "huber");

  private Objectives() {}

  public static Objective create(ObjectiveConfig cfg) {
    String type = cfg.type().trim().toLowerCase(Locale.ROOT);
    Function<ObjectiveConfig, Objective> make = REGISTRY.get(type);
    if (make == null) {
      throw new IllegalArgumentException("objective.type: unknown objective '" + cfg.type() + "' (expected "
          + String.join(", ", names()) + ")");
    }
    return make.apply(cfg);
  }

  /** Every registered name, sorted. */
  public static List<String> names() {
    return REGISTRY.keySet().stream().sorted().toList();
  }

  /** The l2/l1 terms the config adds to the objective. */
  public static Regularization regularization(ObjectiveConfig cfg) {
    return new Regularization(cfg.l2(), cfg.l1());
  }

  private static float[] classWeights(List<Double> weights) {
    if (weights.isEmpty()) {
      return null;
    }
    float[] w = new float[weights.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = weights.get(i).floatValue();
    }
    return w;
  }
}
