package dev.lockstep.comm;

import mpi.MPI;
import mpi.MPIException;
import mpi.Request;

/**
 * Ring allreduce over MPJ point-to-point: N-1 reduce-scatter steps (each rank adds the chunk its left neighbour
 * sends to its own copy and passes it on), then N-1 allgather steps (the reduced chunks go round). Each step's chunk
 * travels in segments, double-buffered: while one segment is added, the next is already in flight.
 *
 * <p>Every chunk is reduced by exactly one chain of ranks in a fixed order and then copied, so every rank ends with the
 * same bits, run after run. MPJ mishandles non-zero array offsets (mpj-notes.md): messages always use scratch arrays
 * at offset 0. Per-rank object; call from the rank's own thread (MPJ takes the rank from the thread group).
 */
final class RingAllreduce {
  /** Floats per message: 1 MB, large against MPJ's ~50-150 µs per message, small for its buffer pool. */
  static final int SEGMENT_FLOATS = 1 << 18;
  private static final int TAG_REDUCE = 7101;
  private static final int TAG_GATHER = 7102;

  private final int rank;
  private final int size;
  private final int segmentFloats;
  private final float[][] send = new float[2][];
  private final float[][] recv = new float[2][];

  RingAllreduce(int rank, int size) {
    this(rank, size, SEGMENT_FLOATS);
  }

  RingAllreduce(int rank, int size, int segmentFloats) {
    this.rank = rank;
    this.size = size;
    this.segmentFloats = segmentFloats;
  }

  void allreduceSum(float[] buf, int offset, int length) throws MPIException {
    int n = size;
    if (n == 1 || length == 0) {
      return;
    }
    ensureScratch(Math.min(segmentFloats, (length + n - 1) / n)); // the largest chunk
    int right = (rank + 1) % n;
    int left = (rank + n - 1) % n;
    for (int s = 0; s < n - 1; s++) { // reduce-scatter: after it, this rank owns chunk (rank+1) % n
      int sendChunk = Math.floorMod(rank - s, n);
      int recvChunk = Math.floorMod(rank - s - 1, n);
      step(buf, offset, length, sendChunk, recvChunk, right, left, TAG_REDUCE, true);
    }
    for (int s = 0; s < n - 1; s++) { // allgather
      int sendChunk = Math.floorMod(rank + 1 - s, n);
      int recvChunk = Math.floorMod(rank - s, n);
      step(buf, offset, length, sendChunk, recvChunk, right, left, TAG_GATHER, false);
    }
  }

  /** Sends chunk {@code sendChunk} right while receiving chunk {@code recvChunk} from the left, segment by segment. */
  private void step(float[] buf, int offset, int length, int sendChunk, int recvChunk, int right, int left, int tag,
      boolean add) throws MPIException {
    int sLo = offset + chunkStart(sendChunk, length);
    int sLen = chunkLength(sendChunk, length);
    int rLo = offset + chunkStart(recvChunk, length);
    int rLen = chunkLength(recvChunk, length);
    int segments = Math.max(segmentsOf(sLen), segmentsOf(rLen));
    Request[] sends = new Request[2];
    Request[] recvs = new Request[2];
    post(buf, 0, sLo, sLen, rLen, right, left, tag, sends, recvs);
    for (int k = 0; k < segments; k++) {
      if (k + 1 < segments) {
        post(buf, k + 1, sLo, sLen, rLen, right, left, tag, sends, recvs);
      }
      int b = k & 1;
      int rn = segLength(k, rLen);
      if (recvs[b] != null) {
        recvs[b].Wait();
        int at = rLo + k * segmentFloats;
        float[] r = recv[b];
        if (add) {
          for (int j = 0; j < rn; j++) {
            buf[at + j] += r[j];
          }
        } else {
          System.arraycopy(r, 0, buf, at, rn);
        }
      }
      if (sends[b] != null) {
        sends[b].Wait();
      }
    }
  }

  /** Starts segment {@code k}: receive into recv[k&1], copy out and send from send[k&1]. */
  private void post(float[] buf, int k, int sLo, int sLen, int rLen, int right, int left, int tag, Request[] sends,
      Request[] recvs) throws MPIException {
    int b = k & 1;
    int rn = segLength(k, rLen);
    recvs[b] = rn > 0 ? MPI.COMM_WORLD.Irecv(recv[b], 0, rn, MPI.FLOAT, left, tag) : null;
    int sn = segLength(k, sLen);
    if (sn > 0) {
      System.arraycopy(buf, sLo + k * segmentFloats, send[b], 0, sn);
      sends[b] = MPI.COMM_WORLD.Isend(send[b], 0, sn, MPI.FLOAT, right, tag);
    } else {
      sends[b] = null;
    }
  }

  private int segmentsOf(int len) {
    return (len + segmentFloats - 1) / segmentFloats;
  }

  private int segLength(int k, int len) {
    return Math.max(0, Math.min(segmentFloats, len - k * segmentFloats));
  }

  private int chunkStart(int c, int length) {
    return (int) ((long) length * c / size);
  }

  private int chunkLength(int c, int length) {
    return chunkStart(c + 1, length) - chunkStart(c, length);
  }

  private void ensureScratch(int floats) {
    int want = Math.max(1, floats);
    if (send[0] == null || send[0].length < want) {
      for (int b = 0; b < 2; b++) {
        send[b] = new float[want];
        recv[b] = new float[want];
      }
    }
  }
}
