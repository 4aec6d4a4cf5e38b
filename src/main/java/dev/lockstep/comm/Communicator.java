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
