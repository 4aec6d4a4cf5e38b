package dev.lockstep.nn;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;

/**
 * Scratch shared by the convolutions of one model (one per rank): one image's im2col matrix and its gradient.
 * Layers run one at a time, so one pair, grown to the largest layer, serves all;
 * nothing in it outlives a layer call (backward recomputes im2col from its input), which keeps the executor's
 * activation accounting honest.
 */
public final class ConvWorkspace {
  private Buf cols; // [C·k·k, Ho·Wo] of the layer and image running now
  private Buf pixels; // [C·k·k, Ho·Wo]: dL/dcols in backward
  private Backend owner;

  Buf cols(Backend be, long floats) {
    cols = grow(be, cols, floats);
    return cols.view(0, floats);
  }

  Buf pixels(Backend be, long floats) {
    pixels = grow(be, pixels, floats);
    return pixels.view(0, floats);
  }

  /** Floats held now (both buffers). */
  public long floats() {
    return (cols == null ? 0 : cols.length()) + (pixels == null ? 0 : pixels.length());
  }

  private Buf grow(Backend be, Buf current, long floats) {
    if (owner != be) { // a workspace belongs to one backend; a new one (tests) starts afresh
      owner = be;
      cols = null;
      pixels = null;
      current = null;
    }
    return current != null && current.length() >= floats ? current : be.allocate(floats);
  }
}
