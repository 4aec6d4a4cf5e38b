package dev.lockstep.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The init of a linear layer that names none: he before relu/gelu (keeps the variance of a half-rectified
 * signal), xavier otherwise. Filled in by {@link ConfigLoader}, so the effective config states it.
 */
public final class LayerInitDefaults {
  private LayerInitDefaults() {}

  /** The init layer {@code i} gets: its own, or the default for what follows it. */
  public static String initOf(List<LayerSpec> layers, int i) {
    LayerSpec l = layers.get(i);
    if (l.init() != null) {
      return l.init();
    }
    String next = i + 1 < layers.size() ? layers.get(i + 1).type() : null;
    return "relu".equals(next) || "gelu".equals(next) ? "he" : "xavier";
  }

  /** {@code c} with every linear layer's init stated. */
  public static LockstepConfig fillIn(LockstepConfig c) {
    List<LayerSpec> layers = c.model().layers();
    List<LayerSpec> filled = new ArrayList<>(layers.size());
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec l = layers.get(i);
      filled.add("linear".equals(l.type()) ? l.withInit(initOf(layers, i)) : l);
    }
    return new LockstepConfig(c.run(), new ModelConfig(filled), c.data(), c.objective(), c.optimizer(), c.update(),
        c.checkpointing(), c.backend(), c.output(), c.comm(), c.simulate());
  }
}
