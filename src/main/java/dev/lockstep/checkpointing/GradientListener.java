package dev.lockstep.checkpointing;

import dev.lockstep.nn.LayerRange;

/**
 * Told by the step executor, during backward, each time a layer's gradient range is final — in reverse layer
 * order — so that communication of that range can start while earlier layers are still computing (DESIGN §4).
 */
@FunctionalInterface
public interface GradientListener {
  void gradientReady(LayerRange range);
}
