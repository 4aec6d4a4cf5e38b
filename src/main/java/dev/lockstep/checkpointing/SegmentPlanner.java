package dev.lockstep.checkpointing;

import dev.lockstep.config.CheckpointingConfig;
import dev.lockstep.nn.Layer;
import dev.lockstep.nn.Model;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Chooses segment boundaries. For k segments it finds, exactly, the boundaries with the smallest activation peak
 * under {@link SegmentPlan}'s memory model, and among those the least recompute work; {@code auto} picks k.
 *
 * <p>Boundaries are placed by what each output costs to store (its width) and each layer costs to recompute
 * (parameters × 2 + width), never by counting layers. An activation layer stores as much as the linear layer
 * before it but is almost free to recompute, so (i) it cannot pull a boundary towards itself on memory grounds,
 * and (ii) between equally small peaks the planner ends segments on linear layers — the last layer of a segment
 * is never recomputed (its output is the kept checkpoint) — so each segment's recompute starts with the cheap
 * nonlinearity instead of a GEMM.
 */
public final class SegmentPlanner {
  private SegmentPlanner() {}

  /** {@code segments: 0}: every output kept, nothing recomputed. */
  public static SegmentPlan keepEverything(Model model) {
    return new SegmentPlan(model, List.of(new SegmentPlan.Segment(0, model.layers().size())), false);
  }

  /**
   * The plan for a config: {@code 0}, {@code k} (1 ≤ k ≤ layers) or {@code auto}. {@code max_activation_mb > 0}
   * chooses k under {@code auto} and is a limit otherwise. Errors name the key.
   */
  public static SegmentPlan fromConfig(CheckpointingConfig cfg, Model model, int batch) {
    String setting = cfg.segments().trim();
    double limitMib = cfg.maxActivationMb();
    if (setting.equals("auto")) {
      return auto(model, batch, limitMib);
    }
    SegmentPlan plan;
    if (setting.equals("0")) {
      plan = keepEverything(model);
    } else {
      int k;
      try {
        k = Integer.parseInt(setting);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("checkpointing.segments: must be 0, a number of segments >= 1, or auto"
            + " (got \"" + setting + "\")");
      }
      int n = model.layers().size();
      if (k < 1 || k > n) {
        throw new IllegalArgumentException(String.format(Locale.ROOT, "checkpointing.segments: %d segments but the "
            + "model has %d layers (use 1 to %d, 0 or auto)", k, n, n));
      }
      plan = withSegments(model, k);
    }
    if (limitMib > 0 && plan.peakActivationBytes(batch) > limitBytes(limitMib)) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "checkpointing.max_activation_mb: segments: %s "
          + "needs %s of activations per rank at batch %d, over the limit of %s MiB; use segments: auto to fit it",
          setting, SegmentPlan.bytes(plan.peakActivationBytes(batch)), batch, trim(limitMib)));
    }
    return plan;
  }

  /**
   * {@code auto}: without a limit ({@code limitMib <= 0}), k = round(√layers), activations counted as layers;
   * with one, the smallest k whose best plan fits {@code limitMib} MiB per rank at {@code batch} (k = 1 means no
   * checkpointing is needed).
   */
  public static SegmentPlan auto(Model model, int batch, double limitMib) {
    int n = model.layers().size();
    if (limitMib <= 0) {
      int k = (int) Math.max(1, Math.min(n, Math.round(Math.sqrt(n))));
      return k == 1 ? keepEverything(model) : withSegments(model, k);
    }
    Widths w = new Widths(model);
    long scratch = keepEverything(model).scratchRowFloats();
    long budgetRow = limitBytes(limitMib) / ((long) batch * Float.BYTES) - 2 * scratch; // arena floats per row
    long[] fewest = w.minCheckpointSums(budgetRow, n);
    for (int k = 1; k <= n; k++) {
      if (fewest[k] >= 0) {
        return k == 1 ? keepEverything(model) : withSegments(model, k);
      }
    }
    SegmentPlan best = leastMemory(model, w);
    throw new IllegalArgumentException(String.format(Locale.ROOT, "checkpointing.max_activation_mb: no plan fits %s "
        + "MiB per rank at batch %d; the smallest needs %s (%s); raise the limit or lower data.batch_size",
        trim(limitMib), batch, SegmentPlan.bytes(best.peakActivationBytes(batch)), best.summary()));
  }

  /** Exactly {@code k} segments: the smallest peak, then the least recompute work. */
  public static SegmentPlan withSegments(Model model, int k) {
    int n = model.layers().size();
    if (k < 1 || k > n) {
      throw new IllegalArgumentException("segment plan: " + k + " segments for " + n + " layers");
    }
    Widths w = new Widths(model);
    long lo = 0, hi = w.total(); // hi is always feasible: a segment never holds more than every output
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (w.minCheckpointSums(mid, k)[k] >= 0) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return new SegmentPlan(model, w.leastRecompute(lo, k), true);
  }

  /** The plan with the smallest peak over every k (fewest segments among equals). */
  static SegmentPlan leastMemory(Model model, Widths w) {
    int n = model.layers().size();
    long lo = 0, hi = w.total();
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (anyFeasible(w.minCheckpointSums(mid, n))) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    long[] sums = w.minCheckpointSums(lo, n);
    for (int k = 1; k <= n; k++) {
      if (sums[k] >= 0) {
        return withSegments(model, k);
      }
    }
    throw new IllegalStateException("segment plan: no plan with peak " + lo); // hi = total is always feasible
  }

  private static boolean anyFeasible(long[] sums) {
    for (int k = 1; k < sums.length; k++) {
      if (sums[k] >= 0) {
        return true;
      }
    }
    return false;
  }

  private static long limitBytes(double mib) {
    return (long) Math.floor(mib * 1024 * 1024);
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** Output widths and recompute costs of a model's layers, with the dynamic programs over them. */
  static final class Widths {
    final int n;
    final long[] prefix; // prefix[i] = Σ widths of layers [0, i)
    final long[] width;
    final long[] cost;

    Widths(Model model) {
      List<Layer> layers = model.layers();
      n = layers.size();
      width = new long[n];
      cost = new long[n];
      prefix = new long[n + 1];
      for (int i = 0; i < n; i++) {
        width[i] = layers.get(i).outFeatures();
        cost[i] = SegmentPlan.recomputeCost(layers.get(i));
        prefix[i + 1] = prefix[i] + width[i];
      }
    }

    long total() {
      return prefix[n];
    }

    /**
     * For each j ≤ maxSegments: the smallest sum of checkpoint widths over plans of exactly j segments covering
     * every layer whose arena peak is at most {@code peak} floats per row; -1 where none exists. A smaller sum
     * never hurts later segments, so keeping only the minimum per (segments, layers covered) is exact.
     */
    long[] minCheckpointSums(long peak, int maxSegments) {
      long[][] best = new long[maxSegments + 1][n + 1];
      for (long[] row : best) {
        java.util.Arrays.fill(row, -1);
      }
      best[0][0] = 0;
      for (int j = 0; j < maxSegments; j++) {
        for (int b = 0; b < n; b++) {
          long c = best[j][b];
          if (c < 0) {
            continue;
          }
          for (int e = b + 1; e <= n && c + prefix[e] - prefix[b] <= peak; e++) {
            long next = c + width[e - 1];
            if (best[j + 1][e] < 0 || next < best[j + 1][e]) {
              best[j + 1][e] = next;
            }
          }
        }
      }
      long[] out = new long[maxSegments + 1];
      for (int j = 0; j <= maxSegments; j++) {
        out[j] = best[j][n];
      }
      return out;
    }

    /**
     * Exactly k segments with peak ≤ {@code peak} and the least recompute work: a Pareto front of (checkpoint
     * sum, recompute) per (segments, layers covered), since a plan with more recompute may still be the only
     * one with a small enough checkpoint sum for what follows.
     */
    List<SegmentPlan.Segment> leastRecompute(long peak, int k) {
      @SuppressWarnings("unchecked")
      List<State>[][] front = new List[k + 1][n + 1];
      front[0][0] = new ArrayList<>(List.of(new State(0, 0, 0, null)));
      for (int j = 0; j < k; j++) {
        boolean lastSegment = j == k - 1;
        for (int b = 0; b < n; b++) {
          if (front[j][b] == null) {
            continue;
          }
          long recompute = 0; // Σ cost of layers [b, e-1): the interior of [b, e)
          for (int e = b + 1; e <= n - (k - 1 - j); e++) {
            if (e - 1 > b) {
              recompute += cost[e - 2];
            }
            if (lastSegment && e != n) {
              continue;
            }
            long stored = prefix[e] - prefix[b];
            for (State s : front[j][b]) {
              if (s.checkpoints + stored <= peak) {
                State t = new State(s.checkpoints + width[e - 1], s.recompute + (lastSegment ? 0 : recompute), b, s);
                if (front[j + 1][e] == null) {
                  front[j + 1][e] = new ArrayList<>();
                }
                addToFront(front[j + 1][e], t);
              }
            }
          }
        }
      }
      List<State> done = front[k][n];
      if (done == null || done.isEmpty()) {
        throw new IllegalStateException("segment plan: no " + k + "-segment plan with peak " + peak);
      }
      State best = done.get(0);
      for (State s : done) {
        if (s.recompute < best.recompute) {
          best = s;
        }
      }
      List<SegmentPlan.Segment> segments = new ArrayList<>();
      int end = n;
      for (State s = best; s.previous != null; s = s.previous) {
        segments.add(new SegmentPlan.Segment(s.start, end));
        end = s.start;
      }
      Collections.reverse(segments);
      return segments;
    }

    private static void addToFront(List<State> front, State t) {
      for (State s : front) {
        if (s.checkpoints <= t.checkpoints && s.recompute <= t.recompute) {
          return; // dominated (or equal: the first found stays, so plans are deterministic)
        }
      }
      front.removeIf(s -> t.checkpoints <= s.checkpoints && t.recompute <= s.recompute);
      front.add(t);
    }

    /** A partial plan: checkpoint widths so far, recompute so far, where its last segment starts. */
    private record State(long checkpoints, long recompute, int start, State previous) {}
  }
}
