package dev.lockstep.comm;

/**
 * Tagged point-to-point messages of floats between ranks, each call under its own deadline. One channel per thread:
 * a rank that talks from two threads (its training thread and a server thread it created) opens one for each, so
 * every channel has its own deadline clock. Arrays are used from offset 0 (MPJ mishandles other offsets).
 */
public interface PointToPoint extends AutoCloseable {
  /** Matches a message from any rank in {@link #recv} and {@link #probe}. */
  int ANY_SOURCE = -1;

  /** Sends buf[0, length) to {@code dest}; returns once the buffer may be reused. */
  void send(float[] buf, int length, int dest, int tag);

  /**
   * Starts sending buf[0, length) to {@code dest} and returns at once; buf must stay untouched until {@link
   * Pending#await} returns. For a message the receiver takes only after a collective the sender joins next: a
   * blocking send could wait for that receive (MPJ's multicore send does), before the collective, forever.
   */
  Pending sendAsync(float[] buf, int length, int dest, int tag);

  /** A started {@link #sendAsync}. */
  interface Pending {
    /** Waits until the send has completed, under the channel's deadline. */
    void await();
  }

  /** Receives a message of exactly {@code length} floats into buf[0, length); returns the sender's rank. */
  int recv(float[] buf, int length, int source, int tag);

  /** The rank of a sender whose message with {@code tag} is waiting, or -1 when none is; never blocks. */
  int probe(int source, int tag);

  @Override
  void close();
}
