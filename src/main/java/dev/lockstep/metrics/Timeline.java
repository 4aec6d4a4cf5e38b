package dev.lockstep.metrics;

import java.util.Arrays;

/**
 * One rank's spans for trace.json: what it did when, in nanoseconds since a start every rank takes right after a
 * barrier (so ranks' clocks line up to within the barrier's skew). Primitive arrays, grown by doubling; at most
 * {@link #MAX_SPANS} are kept (the first ones) so a long run cannot exhaust memory or the gather at the end.
 */
public final class Timeline {
  /** What a span covers; the order is the wire code, so append new kinds at the end. */
  public enum Kind {
    FORWARD("forward", "compute"),
    BACKWARD("backward", "compute"),
    WAIT("wait for slower ranks", "comm"),
    ALLREDUCE("allreduce", "comm"),
    OPTIMIZER("optimizer step", "compute"),
    EVALUATION("evaluation", "eval"),
    RECOMPUTE("recompute segment", "compute"),
    BUCKET("allreduce bucket", "comm"),
    MODE_SWITCH("mode switch", "update");

    public final String label;
    public final String category;

    Kind(String label, String category) {
      this.label = label;
      this.category = category;
    }
  }

  public static final int MAX_SPANS = 50_000;

  private long origin;
  private int count;
  private boolean truncated;
  private byte[] kinds = new byte[256];
  private long[] starts = new long[256]; // ns since origin
  private long[] durations = new long[256]; // ns

  /** Sets time zero; call right after a barrier, on every rank. */
  public void start() {
    origin = System.nanoTime();
  }

  /** Records a span from {@code startNanos} to {@code endNanos} (System.nanoTime values). */
  public void span(Kind kind, long startNanos, long endNanos) {
    if (count == MAX_SPANS) {
      truncated = true;
      return;
    }
    if (count == kinds.length) {
      int n = Math.min(MAX_SPANS, count * 2);
      kinds = Arrays.copyOf(kinds, n);
      starts = Arrays.copyOf(starts, n);
      durations = Arrays.copyOf(durations, n);
    }
    kinds[count] = (byte) kind.ordinal();
    starts[count] = startNanos - origin;
    durations[count] = Math.max(0, endNanos - startNanos);
    count++;
  }

  public int size() {
    return count;
  }

  public boolean truncated() {
    return truncated;
  }

  /** The spans as [kind, start µs, duration µs] triples, for the gather to rank 0 (doubles hold µs exactly enough). */
  public double[] encode() {
    double[] out = new double[3 * count];
    for (int i = 0; i < count; i++) {
      out[3 * i] = kinds[i];
      out[3 * i + 1] = starts[i] / 1e3;
      out[3 * i + 2] = durations[i] / 1e3;
    }
    return out;
  }
}
