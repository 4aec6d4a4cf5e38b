package dev.lockstep.checkpointing;

import dev.lockstep.nn.Layer;
import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one step's forward and backward through a model, keeping every layer's output (the {@code segments: 0}
 * plan). All activation and gradient buffers are allocated once, for {@code maxBatch} rows, and reused by every
 * step; a smaller batch uses their leading rows. Gradient checkpointing proper (segments > 0: keep only each
 * segment's input, recompute in backward) is not implemented yet; that will be a separate constructor/plan.
 *
 * <p>The caller owns the input {@code x} and {@code dOutput}; {@code x} must stay unchanged between
 * {@link #forward} and {@link #backward}. One executor per rank; not thread-safe.
 */
public final class StepExecutor {
  private final Parameters params;
  private final Backend be;
  private final List<Layer> layers;
  private final int maxBatch;
  private final Buf[] outputs; // outputs[i]: [maxBatch, layers[i].out]
  private final int scratchWidth; // widest layer input after the first: dx of layers 1..L-1
  private final Buf gradA; // [maxBatch, scratchWidth] ping-pong buffers for dL/d(activation)
  private final Buf gradB;
  private final Map<Integer, LayerRange> rangeOfLayer = new HashMap<>();
  private GradientListener listener;

  private Buf input; // x of the last forward, kept for backward
  private int forwardBatch = -1; // batch of the last forward whose activations backward may use
  private Buf outputView; // [outputViewBatch, outWidth], cached so a steady batch size allocates nothing
  private int outputViewBatch = -1;

  public StepExecutor(Model model, Parameters params, Backend be, int maxBatch) {
    if (params.model() != model) {
      throw new IllegalArgumentException("step executor: parameters belong to another model");
    }
    if (maxBatch <= 0) {
      throw new IllegalArgumentException("step executor: maxBatch must be positive, got " + maxBatch);
    }
    this.params = params;
    this.be = be;
    this.layers = model.layers();
    this.maxBatch = maxBatch;
    this.outputs = new Buf[layers.size()];
    for (int i = 0; i < layers.size(); i++) {
      outputs[i] = be.allocate((long) maxBatch * layers.get(i).outFeatures());
    }
    this.scratchWidth = scratchWidth(layers);
    this.gradA = scratchWidth > 0 ? be.allocate((long) maxBatch * scratchWidth) : null;
    this.gradB = scratchWidth > 0 ? be.allocate((long) maxBatch * scratchWidth) : null;
    for (LayerRange r : params.layerRanges()) {
      rangeOfLayer.put(r.layerIndex(), r);
    }
  }

  private static int scratchWidth(List<Layer> layers) {
    int width = 0;
    for (int i = 1; i < layers.size(); i++) {
      width = Math.max(width, layers.get(i).inFeatures());
    }
    return width;
  }

  /** Called during {@link #backward} as each layer's gradient range becomes final; null to stop. */
  public void setGradientListener(GradientListener listener) {
    this.listener = listener;
  }

  public int maxBatch() {
    return maxBatch;
  }

  /** x: [batch, in] → output: [batch, out] (a view into the executor's buffer, valid until the next call). */
  public Buf forward(Buf x, int batch) {
    checkBatch(batch);
    int in = layers.get(0).inFeatures();
    if (x.length() < (long) batch * in) {
      throw new IllegalArgumentException("step executor: input of " + x.length() + " floats is not [" + batch
          + ", " + in + "]");
    }
    Buf current = x;
    for (int i = 0; i < layers.size(); i++) {
      layers.get(i).forward(be, current, outputs[i], batch);
      current = outputs[i];
    }
    input = x;
    forwardBatch = batch;
    return outputView(batch);
  }

  /**
   * dOutput: [batch, out] = dL/d(output) of the last {@link #forward}. Walks the layers in reverse, accumulating
   * dL/dparams into the gradient buffer (zero it first with {@link Parameters#zeroGrads()} when starting a step).
   */
  public void backward(Buf dOutput, int batch) {
    if (forwardBatch < 0) {
      throw new IllegalStateException("step executor: backward without a preceding forward");
    }
    if (batch != forwardBatch) {
      throw new IllegalArgumentException("step executor: backward(batch=" + batch + ") after forward(batch="
          + forwardBatch + ")");
    }
    int out = layers.get(layers.size() - 1).outFeatures();
    if (dOutput.length() < (long) batch * out) {
      throw new IllegalArgumentException("step executor: dOutput of " + dOutput.length() + " floats is not ["
          + batch + ", " + out + "]");
    }
    Buf dy = dOutput;
    for (int i = layers.size() - 1; i >= 0; i--) {
      Buf x = i == 0 ? input : outputs[i - 1];
      Buf dx = i == 0 ? null : (dy == gradA ? gradB : gradA); // never write the buffer we read
      layers.get(i).backward(be, x, outputs[i], dy, dx, batch);
      LayerRange range = rangeOfLayer.get(i);
      if (listener != null && range != null) {
        listener.gradientReady(range);
      }
      dy = dx;
    }
  }

  /** Evaluation forward: same buffers, nothing kept for backward (a backward after it is an error). */
  public Buf infer(Buf x, int batch) {
    Buf out = forward(x, batch);
    forwardBatch = -1;
    input = null;
    return out;
  }

  /**
   * Bytes of the executor's activation buffers alive at the peak (during backward) for {@code batch} rows: every
   * layer's output plus the two gradient ping-pong buffers. The caller's input and dOutput are not counted.
   */
  public long activationBytes(int batch) {
    long floats = 2L * batch * scratchWidth;
    for (Layer layer : layers) {
      floats += (long) batch * layer.outFeatures();
    }
    return floats * Float.BYTES;
  }

  public Parameters parameters() {
    return params;
  }

  private Buf outputView(int batch) {
    if (batch != outputViewBatch) {
      Buf last = outputs[outputs.length - 1];
      outputView = last.view(0, (long) batch * layers.get(layers.size() - 1).outFeatures());
      outputViewBatch = batch;
    }
    return outputView;
  }

  private void checkBatch(int batch) {
    if (batch <= 0 || batch > maxBatch) {
      throw new IllegalArgumentException("step executor: batch " + batch + " outside [1, " + maxBatch + "]");
    }
  }
}
