package dev.lockstep.comm;

import dev.lockstep.launch.RankTask;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs inside real MPJ ranks (started by {@link PointToPointTest}): the parameter-server pattern. Rank 0 starts a
 * server thread of its own that answers {@code rounds} requests from every other rank, taking them in whatever order
 * they arrive (probe + receive from any source); each other rank sends from a thread it created. Every message's
 * contents derive from (seed, rank, round) so both ends can check them. Then a send started before a collective and
 * received after it ({@link PointToPoint#sendAsync}). Returns 3 on a mismatch.
 *
 * <p>args: {@code --task=<this class> <seed> <length> <rounds>}
 */
public final class PointToPointCheckTask implements RankTask {
  static final int TAG_REQUEST = 11, TAG_REPLY = 12;

  @Override
  public int run(Communicator comm, String[] args) throws Exception {
    long seed = Long.parseLong(args[1]);
    int length = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    int n = comm.size(), r = comm.rank();
    AtomicReference<String> error = new AtomicReference<>();
    Runnable body = r == 0 ? () -> serve(comm, seed, length, rounds, error) : () -> request(comm, seed, length, rounds,
        error);
    Thread t = new Thread(body, "p2p-check-" + r); // created by the rank's thread: it acts as this rank in MPJ
    t.start();
    t.join();
    comm.barrier();
    if (n > 1) {
      sendBeforeACollective(comm, seed, length, error);
    }
    if (error.get() != null) {
      System.out.println("rank " + r + " of " + n + ": MISMATCH " + error.get());
      return 3;
    }
    System.out.println("rank " + r + " of " + n + ": point-to-point ok");
    return 0;
  }

  private static void serve(Communicator comm, long seed, int length, int rounds, AtomicReference<String> error) {
    try (PointToPoint p2p = comm.pointToPoint()) {
      int[] seen = new int[comm.size()];
      float[] buf = new float[length];
      for (int left = (comm.size() - 1) * rounds; left > 0; ) {
        int from = p2p.probe(PointToPoint.ANY_SOURCE, TAG_REQUEST);
        if (from < 0) {
          Thread.onSpinWait();
          continue;
        }
        int got = p2p.recv(buf, length, from, TAG_REQUEST);
        if (got != from || !Arrays.equals(buf, floats(seed, from, seen[from], length))) {
          error.set("request " + seen[from] + " of rank " + from + " (received as from " + got + ")");
        }
        p2p.send(floats(seed, 1000 + from, seen[from], length), length, from, TAG_REPLY);
        seen[from]++;
        left--;
      }
      if (p2p.probe(PointToPoint.ANY_SOURCE, TAG_REQUEST) >= 0) {
        error.set("a request is left over");
      }
    }
  }

  private static void request(Communicator comm, long seed, int length, int rounds, AtomicReference<String> error) {
    int r = comm.rank();
    try (PointToPoint p2p = comm.pointToPoint()) {
      float[] buf = new float[length + 5]; // longer than the message: only [0, length) is written
      for (int k = 0; k < rounds; k++) {
        p2p.send(floats(seed, r, k, length), length, 0, TAG_REQUEST);
        Arrays.fill(buf, -1f);
        int from = p2p.recv(buf, length, PointToPoint.ANY_SOURCE, TAG_REPLY);
        if (from != 0 || !Arrays.equals(Arrays.copyOf(buf, length), floats(seed, 1000 + r, k, length))
            || buf[length] != -1f) {
          error.set("reply " + k + " from " + from);
        }
      }
    }
  }

  /**
   * Each rank starts a send to its right neighbour, joins a collective, and only then receives from its left one
   * and waits for its own send: a blocking send would never return (MPJ multicore's send waits for the receive).
   */
  private static void sendBeforeACollective(Communicator comm, long seed, int length, AtomicReference<String> error) {
    int n = comm.size(), r = comm.rank();
    try (PointToPoint p2p = comm.pointToPoint()) {
      float[] out = floats(seed, 2000 + r, 0, length);
      PointToPoint.Pending sent = p2p.sendAsync(out, length, (r + 1) % n, TAG_REQUEST);
      comm.barrier();
      float[] in = new float[length];
      int left = (r + n - 1) % n;
      int from = p2p.recv(in, length, PointToPoint.ANY_SOURCE, TAG_REQUEST);
      sent.await();
      if (from != left || !Arrays.equals(in, floats(seed, 2000 + left, 0, length))) {
        error.set("asynchronous send from rank " + left + " (received as from " + from + ")");
      }
    }
  }

  static float[] floats(long seed, int who, int round, int length) {
    SplittableRandom random = new SplittableRandom(seed * 31 + who * 1_000_003L + round);
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = (float) random.nextDouble(-1, 1);
    }
    return v;
  }
}
