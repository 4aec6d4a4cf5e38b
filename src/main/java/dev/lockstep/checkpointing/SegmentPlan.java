package dev.lockstep.checkpointing;

import dev.lockstep.nn.Layer;
import dev.lockstep.nn.Model;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which consecutive layers form each checkpointing segment, and where every layer's output lives in the step
 * executor's one activation arena. Backend-independent; sizes are in floats per batch row, so one plan serves
 * every batch size.
 *
 * <p>Memory model (what {@link StepExecutor} allocates, and nothing else). Segment s covers layers
 * [from, to). Its last layer's output is its <em>checkpoint</em> c_s (the next segment's input, or the model
 * output); the other outputs are its <em>interior</em>. Checkpoints are stacked from the bottom of the arena in
 * segment order; segment s's interior sits right above c_s. While segment s runs (forward, or its recompute and
 * backward) the live outputs are c_0..c_s plus its interior, so the arena needs
 * {@code max_s (c_0 + … + c_s + interior_s)} floats per row: later checkpoints and other segments' interiors
 * reuse the same rows once they are dead. Backward adds two ping-pong buffers for dL/d(activation), each as wide
 * as the widest layer input after the first. The caller's input x and dL/d(output) are not counted.
 *
 * <p>{@code segments: 0} is the one-segment plan with {@link #checkpointed()} false: every output is kept,
 * nothing is recomputed (1 segment is the same plan). The last segment is never recomputed: its interior is
 * still in place when backward starts.
 */
public final class SegmentPlan {
  /** Layers [from, to) of the model, in order. */
  public record Segment(int from, int to) {
    public int size() {
      return to - from;
    }
  }

  private final List<Segment> segments;
  private final boolean checkpointed;
  private final long[] outputRowOffset; // per layer: where its output starts in the arena, in floats per row
  private final int[] outputWidth; // per layer
  private final long arenaRowFloats;
  private final long scratchRowFloats; // one dL/d(activation) buffer
  private final long recomputeCost;
  private final long keepAllRowFloats; // the segments: 0 figure, arena + 2 scratch, for comparison

  SegmentPlan(Model model, List<Segment> segments, boolean checkpointed) {
    List<Layer> layers = model.layers();
    int n = layers.size();
    checkCover(segments, n);
    this.segments = List.copyOf(segments);
    this.checkpointed = checkpointed;
    this.outputWidth = new int[n];
    for (int i = 0; i < n; i++) {
      outputWidth[i] = layers.get(i).outFeatures();
    }
    this.outputRowOffset = new long[n];
    long checkpoints = 0; // c_0 + … + c_{s-1}
    long arena = 0;
    long recompute = 0;
    for (int s = 0; s < this.segments.size(); s++) {
      Segment seg = this.segments.get(s);
      int last = seg.to() - 1;
      outputRowOffset[last] = checkpoints;
      checkpoints += outputWidth[last];
      long interior = checkpoints;
      for (int i = seg.from(); i < last; i++) {
        outputRowOffset[i] = interior;
        interior += outputWidth[i];
        if (s < this.segments.size() - 1) {
          recompute += recomputeCost(layers.get(i));
        }
      }
      arena = Math.max(arena, interior);
    }
    this.arenaRowFloats = arena;
    long scratch = 0;
    long all = 0;
    for (int i = 0; i < n; i++) {
      all += outputWidth[i];
      if (i > 0) {
        scratch = Math.max(scratch, layers.get(i).inFeatures());
      }
    }
    this.scratchRowFloats = scratch;
    this.recomputeCost = recompute;
    this.keepAllRowFloats = all + 2 * scratch;
  }

  private static void checkCover(List<Segment> segments, int layers) {
    int next = 0;
    for (Segment s : segments) {
      if (s.from() != next || s.to() <= s.from()) {
        throw new IllegalArgumentException("segment plan: segments " + segments + " do not cover layers [0, "
            + layers + ") in order");
      }
      next = s.to();
    }
    if (next != layers) {
      throw new IllegalArgumentException("segment plan: segments " + segments + " do not cover layers [0, "
          + layers + ")");
    }
  }

  /**
   * Relative cost of recomputing a layer's forward for one row: a multiply-add per parameter (a linear layer's
   * GEMM) plus one operation per output (bias, nonlinearity). An activation layer costs only its width.
   */
  static long recomputeCost(Layer layer) {
    return layer.forwardCost();
  }

  public List<Segment> segments() {
    return segments;
  }

  /** False for {@code segments: 0}: everything kept, nothing recomputed. */
  public boolean checkpointed() {
    return checkpointed;
  }

  public int layerCount() {
    return outputWidth.length;
  }

  /** Where layer {@code i}'s output starts in the arena, in floats per row (multiply by the executor's maxBatch). */
  long outputRowOffset(int i) {
    return outputRowOffset[i];
  }

  int outputWidth(int i) {
    return outputWidth[i];
  }

  long arenaRowFloats() {
    return arenaRowFloats;
  }

  long scratchRowFloats() {
    return scratchRowFloats;
  }

  /** Bytes of activation buffers alive at the peak (the arena and both gradient buffers) for {@code batch} rows. */
  public long peakActivationBytes(int batch) {
    return (long) batch * (arenaRowFloats + 2 * scratchRowFloats) * Float.BYTES;
  }

  /** The same figure without checkpointing, for comparison. */
  public long keepAllActivationBytes(int batch) {
    return (long) batch * keepAllRowFloats * Float.BYTES;
  }

  /** Extra forward work per row in backward (see {@link #recomputeCost(Layer)}); 0 without checkpointing. */
  public long recomputeCost() {
    return recomputeCost;
  }

  /** "0" without checkpointing, else the number of segments. */
  public String segmentsSetting() {
    return checkpointed ? Integer.toString(segments.size()) : "0";
  }

  /** Layer ranges as "0-5", one per segment. */
  public List<String> layerRanges() {
    List<String> out = new ArrayList<>();
    for (Segment s : segments) {
      out.add(s.size() == 1 ? Integer.toString(s.from()) : s.from() + "-" + (s.to() - 1));
    }
    return out;
  }

  /** For summary.json: segments, layer ranges, predicted peak and the no-checkpointing figure, at {@code batch}. */
  public Map<String, Object> toMap(int batch) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("segments", checkpointed ? segments.size() : 0);
    m.put("layers", layerRanges());
    m.put("batch_per_rank", batch);
    m.put("activation_peak_bytes", peakActivationBytes(batch));
    m.put("keep_all_activation_bytes", keepAllActivationBytes(batch));
    return m;
  }

  /** One line, e.g. "6 segments [0-7 | 8-14 | …]" or "off (every activation kept)". */
  public String summary() {
    if (!checkpointed) {
      return "off (every activation kept)";
    }
    return segments.size() + " segment" + (segments.size() == 1 ? "" : "s") + " [" + String.join(" | ",
        layerRanges()) + "]";
  }

  /** Lines describing each segment's layers, and the predicted peak at {@code batch}, for people. */
  public List<String> describe(Model model, int batch) {
    List<String> lines = new ArrayList<>();
    lines.add("checkpointing: " + summary());
    if (checkpointed) {
      for (int s = 0; s < segments.size(); s++) {
        Segment seg = segments.get(s);
        StringBuilder b = new StringBuilder();
        for (int i = seg.from(); i < seg.to(); i++) {
          b.append(i == seg.from() ? "" : " → ").append(model.layers().get(i).describe());
        }
        lines.add(String.format(Locale.ROOT, "  segment %d: layers %s: %s%s", s + 1, layerRanges().get(s), b,
            s == segments.size() - 1 ? " (not recomputed)" : ""));
      }
    }
    lines.add(String.format(Locale.ROOT, "predicted activation peak: %s per rank at batch %d (every activation "
        + "kept: %s)", bytes(peakActivationBytes(batch)), batch, bytes(keepAllActivationBytes(batch))));
    return lines;
  }

  /** Bytes for people: "71.33 MiB", "1.94 KiB", "512 B". */
  public static String bytes(long n) {
    if (n >= 1L << 30) {
      return String.format(Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
    }
    if (n >= 1L << 20) {
      return String.format(Locale.ROOT, "%.2f MiB", n / (double) (1L << 20));
    }
    if (n >= 1L << 10) {
      return String.format(Locale.ROOT, "%.2f KiB", n / (double) (1L << 10));
    }
    return n + " B";
  }

  @Override
  public String toString() {
    return summary();
  }
}
