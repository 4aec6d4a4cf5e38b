package dev.lockstep.update;

import dev.lockstep.nn.LayerRange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which layers' gradients are allreduced together, as PyTorch DDP's reducer does: layers in reverse order (the order
 * backward finishes them), grouped into buckets of at most {@code bucketBytes} — the first at most
 * {@link #FIRST_BUCKET_BYTES}, so communication starts as early as possible. A layer is never split; one larger than
 * the cap gets a bucket of its own. Since the layers' ranges tile the flat gradient buffer in layer order, every
 * bucket is one contiguous span of it. The plan depends only on the model's shapes: every rank builds the same one.
 */
public final class BucketPlan {
  /** Cap of the first bucket (DDP's {@code _DEFAULT_FIRST_BUCKET_BYTES}). */
  public static final long FIRST_BUCKET_BYTES = 1L << 20;

  /** Floats [offset, offset + length) of the flat gradient buffer, the union of {@code layers} layer ranges. */
  public record Bucket(int offset, int length, int layers) {}

  private final List<Bucket> buckets; // in the order backward completes them
  private final Map<Integer, Integer> bucketOfLayer = new HashMap<>();

  /**
   * @param ranges the model's parameter ranges in buffer (= layer) order, tiling [0, total) without gaps
   * @param bucketBytes cap per bucket, > 0
   */
  public BucketPlan(List<LayerRange> ranges, long bucketBytes) {
    if (bucketBytes <= 0) {
      throw new IllegalArgumentException("bucket cap must be positive, got " + bucketBytes + " bytes");
    }
    List<Bucket> list = new ArrayList<>();
    long cap = Math.min(FIRST_BUCKET_BYTES, bucketBytes);
    long end = -1; // exclusive end of the open bucket (its start is the last range added)
    long start = -1;
    int layers = 0;
    for (int i = ranges.size() - 1; i >= 0; i--) {
      LayerRange r = ranges.get(i);
      if (i < ranges.size() - 1 && r.offset() + r.length() != start) {
        throw new IllegalArgumentException("layer ranges do not tile the gradient buffer: " + r + " is not followed "
            + "by a range starting at " + (r.offset() + r.length()));
      }
      if (layers > 0 && (end - r.offset()) * Float.BYTES > cap) {
        list.add(new Bucket(Math.toIntExact(start), Math.toIntExact(end - start), layers));
        cap = bucketBytes;
        layers = 0;
      }
      if (layers == 0) {
        end = r.offset() + r.length();
      }
      start = r.offset();
      layers++;
      bucketOfLayer.put(r.layerIndex(), list.size());
    }
    if (layers > 0) {
      list.add(new Bucket(Math.toIntExact(start), Math.toIntExact(end - start), layers));
    }
    this.buckets = List.copyOf(list);
  }

  /** The buckets in the order backward completes them (last layers first). */
  public List<Bucket> buckets() {
    return buckets;
  }

  /** Index in {@link #buckets()} of the bucket holding layer {@code layerIndex}'s gradients. */
  public int bucketOf(int layerIndex) {
    Integer b = bucketOfLayer.get(layerIndex);
    if (b == null) {
      throw new IllegalArgumentException("layer " + layerIndex + " has no parameters in the bucket plan");
    }
    return b;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("buckets (backward order):");
    for (Bucket b : buckets) {
      s.append(String.format(java.util.Locale.ROOT, " [%d layer(s), %.2f MB]", b.layers(),
          b.length() * (double) Float.BYTES / (1 << 20)));
    }
    return s.toString();
  }
}
