package dev.lockstep.checkpointing;

import dev.lockstep.nn.Layer;
import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.nn.PassContext;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one step's forward and backward through a model under a {@link SegmentPlan}. With {@code segments: 0}
 * every layer's output is kept. With k segments, forward keeps only the segment checkpoints (each segment's
 * output, which is the next one's input) once a segment is done; backward recomputes a segment's forward just
 * before backpropagating through it (the last segment's outputs are still in place and are not recomputed).
 * The recompute runs the same layer calls on the same inputs into the same buffers, so gradients are
 * bit-identical to {@code segments: 0} on a deterministic backend.
 *
 * <p>All activations live in one arena laid out by the plan, plus two ping-pong buffers for dL/d(activation);
 * all are allocated once, for {@code maxBatch} rows, and reused by every step; a smaller batch uses their
 * leading rows. The caller owns the input {@code x} and {@code dOutput}; {@code x} must stay unchanged between
 * {@link #forward} and {@link #backward}. One executor per rank; not thread-safe.
 */
public final class StepExecutor {
  private final Parameters params;
  private final Backend be;
  private final List<Layer> layers;
  private final SegmentPlan plan;
  private final int maxBatch;
  private final Buf arena; // [maxBatch × plan.arenaRowFloats()]: every output lives in a view of it
  private final Buf[] outputs; // outputs[i]: [maxBatch, layers[i].out], a view of the arena at the plan's offset
  private final Buf gradA; // [maxBatch, scratchWidth] ping-pong buffers for dL/d(activation)
  private final Buf gradB;
  private final Map<Integer, LayerRange> rangeOfLayer = new HashMap<>();
  private GradientListener listener;
  private PassContext pass = PassContext.training(0, 0); // the training pass of the coming step

  private Buf input; // x of the last forward, kept for backward
  private int forwardBatch = -1; // batch of the last forward whose activations backward may use
  private Buf outputView; // [outputViewBatch, outWidth], cached so a steady batch size allocates nothing
  private int outputViewBatch = -1;

  /** Keeps every activation ({@code segments: 0}). */
  public StepExecutor(Model model, Parameters params, Backend be, int maxBatch) {
    this(model, params, be, maxBatch, SegmentPlanner.keepEverything(model));
  }

  public StepExecutor(Model model, Parameters params, Backend be, int maxBatch, SegmentPlan plan) {
    if (params.model() != model) {
      throw new IllegalArgumentException("step executor: parameters belong to another model");
    }
    if (maxBatch <= 0) {
      throw new IllegalArgumentException("step executor: maxBatch must be positive, got " + maxBatch);
    }
    this.params = params;
    this.be = be;
    this.layers = model.layers();
    this.plan = plan;
    this.maxBatch = maxBatch;
    checkPlanFits(plan, layers);
    this.arena = be.allocate(maxBatch * plan.arenaRowFloats());
    this.outputs = new Buf[layers.size()];
    for (int i = 0; i < layers.size(); i++) {
      outputs[i] = arena.view(maxBatch * plan.outputRowOffset(i), (long) maxBatch * layers.get(i).outFeatures());
    }
    long scratch = plan.scratchRowFloats();
    this.gradA = scratch > 0 ? be.allocate(maxBatch * scratch) : null;
    this.gradB = scratch > 0 ? be.allocate(maxBatch * scratch) : null;
    for (LayerRange r : params.layerRanges()) {
      rangeOfLayer.put(r.layerIndex(), r);
    }
  }

  private static void checkPlanFits(SegmentPlan plan, List<Layer> layers) {
    boolean fits = plan.layerCount() == layers.size();
    for (int i = 0; fits && i < layers.size(); i++) {
      fits = plan.outputWidth(i) == layers.get(i).outFeatures();
    }
    if (!fits) {
      throw new IllegalArgumentException("step executor: the segment plan was made for another model");
    }
  }

  /** Called during {@link #backward} as each layer's gradient range becomes final; null to stop. */
  public void setGradientListener(GradientListener listener) {
    this.listener = listener;
  }

  /**
   * The training step the next {@link #forward} belongs to (step, global first row, cross-rank sums): dropout and
   * batch norm read it. Evaluation ({@link #infer}) always runs as {@link PassContext#EVAL}.
   */
  public void setPass(PassContext pass) {
    if (!pass.training()) {
      throw new IllegalArgumentException("step executor: setPass takes a training pass; infer() evaluates");
    }
    this.pass = pass;
  }

  public int maxBatch() {
    return maxBatch;
  }

  /**
   * x: [batch, in] → output: [batch, out] (a view into the executor's arena, valid until the next forward or
   * backward: a backward with checkpointing reuses its rows).
   */
  public Buf forward(Buf x, int batch) {
    return run(x, batch, pass);
  }

  private Buf run(Buf x, int batch, PassContext context) {
    checkBatch(batch);
    int in = layers.get(0).inFeatures();
    if (x.length() < (long) batch * in) {
      throw new IllegalArgumentException("step executor: input of " + x.length() + " floats is not [" + batch
          + ", " + in + "]");
    }
    Buf current = x;
    for (int i = 0; i < layers.size(); i++) {
      layers.get(i).setPass(context);
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
    List<SegmentPlan.Segment> segments = plan.segments();
    for (int s = segments.size() - 1; s >= 0; s--) {
      SegmentPlan.Segment seg = segments.get(s);
      if (s < segments.size() - 1) {
        recomputeInterior(seg, batch);
      }
      for (int i = seg.to() - 1; i >= seg.from(); i--) {
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
  }

  /**
   * Forward again through a segment's interior (all its layers but the last, whose output is the kept
   * checkpoint), from its kept input: the same calls as in {@link #forward}, into the same buffers.
   */
  private void recomputeInterior(SegmentPlan.Segment seg, int batch) {
    Buf current = seg.from() == 0 ? input : outputs[seg.from() - 1];
    PassContext again = pass.asRecompute();
    for (int i = seg.from(); i < seg.to() - 1; i++) {
      layers.get(i).setPass(again);
      layers.get(i).forward(be, current, outputs[i], batch);
      current = outputs[i];
    }
  }

  /** Evaluation forward: same buffers, nothing kept for backward (a backward after it is an error). */
  public Buf infer(Buf x, int batch) {
    Buf out = run(x, batch, PassContext.EVAL);
    forwardBatch = -1;
    input = null;
    return out;
  }

  /**
   * Bytes of the executor's activation buffers alive at the peak (during backward) for {@code batch} rows: the
   * plan's arena and the two gradient ping-pong buffers (see {@link SegmentPlan}). The caller's input and
   * dOutput are not counted. At {@link #maxBatch()} this is exactly what the executor allocated.
   */
  public long activationBytes(int batch) {
    return plan.peakActivationBytes(batch);
  }

  public SegmentPlan plan() {
    return plan;
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
