package dev.lockstep.comm;

import java.nio.FloatBuffer;

/**
 * Collectives among the ranks of one run. Every call is collective (all ranks must make it, in the same order)
 * and has a deadline: a call that cannot complete ends the job with an error naming the rank.
 */
public interface Communicator extends AutoCloseable {
  int rank();

  int size();

  /** In-place SUM over ranks of buf[offset, offset+length); the result is identical on every rank. */
  void allreduceSum(float[] buf, int offset, int length);

  /**
   * In-place SUM over ranks of buf[offset, offset+length) by absolute index (position and limit are ignored). The
   * default copies through an array; implementations that can reduce (direct) buffers in place override it.
   */
  default void allreduceSum(FloatBuffer buf, int offset, int length) {
    float[] tmp = new float[length];
    buf.get(offset, tmp, 0, length);
    allreduceSum(tmp, 0, length);
    buf.put(offset, tmp, 0, length);
  }

  /**
   * SUM-allreduce with a 16-bit payload ({@link Compression}: each rank's value and the sum rounded once to the
   * format, the sum in float32 in rank order; identical bits on every rank). This default applies the two roundings
   * around {@link #allreduceSum(float[], int, int)}, which must then sum in rank order (or at least identically on
   * every rank); implementations that transfer the 16-bit values override it. One rank, or NONE: a plain allreduce.
   */
  default void allreduceSum(float[] buf, int offset, int length, Compression compression) {
    if (compression == Compression.NONE || size() == 1 || length == 0) {
      allreduceSum(buf, offset, length);
      return;
    }
    float scale = agreedScale(compression, compression.scaled() ? Compression.maxAbs(buf, offset, length) : 0);
    compression.roundScaled(buf, offset, length, scale);
    allreduceSum(buf, offset, length);
    compression.roundUnscaled(buf, offset, length, scale);
  }

  /** {@link #allreduceSum(float[], int, int, Compression)} of a FloatBuffer, by absolute index. */
  default void allreduceSum(FloatBuffer buf, int offset, int length, Compression compression) {
    if (compression == Compression.NONE || size() == 1 || length == 0) {
      allreduceSum(buf, offset, length);
      return;
    }
    float scale = agreedScale(compression, compression.scaled() ? Compression.maxAbs(buf, offset, length) : 0);
    compression.roundScaled(buf, offset, length, scale);
    allreduceSum(buf, offset, length);
    compression.roundUnscaled(buf, offset, length, scale);
  }

  /**
   * Collective when the format is scaled (fp16): the scale for this bucket from every rank's largest |x| (this rank's
   * is {@code localMaxAbs}; NaN if it holds one); 1 otherwise, without communicating.
   */
  default float agreedScale(Compression compression, double localMaxAbs) {
    if (!compression.scaled()) {
      return 1f;
    }
    double max = 0;
    for (double m : allgather(localMaxAbs)) {
      max = Double.isNaN(m) || Double.isNaN(max) ? Double.NaN : Math.max(max, m);
    }
    return compression.scaleFor(max, size());
  }

  void allreduceSum(double[] buf);

  void allreduceSum(long[] buf);

  /** Copies root's buf[offset, offset+length) to every rank. */
  void broadcast(float[] buf, int offset, int length, int root);

  /** One value from each rank, indexed by rank, on every rank. */
  double[] allgather(double value);

  void barrier();

  /**
   * A new point-to-point channel for the calling thread (the rank's own thread or one it created; never a shared
   * pool). Unlike the collectives, its calls concern only the two ranks of each message.
   */
  PointToPoint pointToPoint();

  /**
   * Publishes the (1-based) training step this rank now works on, where its peers and the launcher can read it
   * without MPJ (stall warnings and failure messages name it). Not collective; the default publishes nowhere.
   */
  default void publishStep(long step) {}

  /** True when every rank is a thread of this JVM (MPJ multicore under lockstep's launcher). */
  default boolean ranksShareJvm() {
    return false;
  }

  @Override
  default void close() {}
}
