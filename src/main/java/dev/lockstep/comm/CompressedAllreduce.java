package dev.lockstep.comm;

import mpi.MPI;
import mpi.MPIException;
import mpi.Request;

/**
 * A SUM-allreduce over MPJ point-to-point whose messages carry 16-bit values ({@link Compression}): half the bytes of
 * the float32 {@link RingAllreduce}, for links where bytes cost (ranks on several hosts).
 *
 * <p>Chunk c of the buffer is owned by rank c. Reduce-scatter: every rank encodes its values and sends chunk c to
 * its owner, in N-1 pairwise steps (step d: to rank+d, from rank-d). The owner decodes all N contributions of its
 * chunk and sums them in float32 in rank order, then encodes the sum once. Allgather: the encoded sums go to every
 * rank in N-1 pairwise steps, and every rank — the owner too — decodes them. So every rank ends with the same bits,
 * exactly those of {@link Communicator#allreduceSum(float[], int, int, Compression)}'s rounding around a rank-order
 * sum. Each rank sends and receives (N-1)/N of the buffer twice, as 16-bit values, like a ring.
 *
 * <p>Messages travel in segments, double-buffered (the next one is in flight while one is copied), from scratch
 * arrays at offset 0 (MPJ mishandles offsets, mpj-notes.md). Per-rank object; call from the rank's own thread.
 */
final class CompressedAllreduce {
  /** Values per message: 1 MB of 16-bit values. */
  static final int SEGMENT = 1 << 19;
  private static final int TAG_REDUCE = 7201;
  private static final int TAG_GATHER = 7202;

  private final int rank;
  private final int size;
  private final int segment;
  private short[] encoded = new short[0]; // [length] this rank's encoded values, later the encoded sums
  private short[] contributions = new short[0]; // [size × largest chunk] every rank's encoded part of my chunk
  private final short[][] send = new short[2][];
  private final short[][] recv = new short[2][];

  CompressedAllreduce(int rank, int size) {
    this(rank, size, SEGMENT);
  }

  CompressedAllreduce(int rank, int size, int segment) {
    this.rank = rank;
    this.size = size;
    this.segment = segment;
  }

  /** {@code scale}: the agreed power of two (1 but for fp16), the same on every rank. */
  void allreduceSum(float[] buf, int offset, int length, Compression c, float scale) throws MPIException {
    int n = size;
    if (n == 1 || length == 0) {
      return;
    }
    int largest = (length + n - 1) / n;
    ensureScratch(length, n * largest, Math.min(segment, largest));
    for (int i = 0; i < length; i++) {
      encoded[i] = c.encode(buf[offset + i] * scale);
    }
    int mine = chunkStart(rank, length);
    int myLength = chunkLength(rank, length);
    System.arraycopy(encoded, mine, contributions, rank * largest, myLength);
    for (int d = 1; d < n; d++) { // reduce-scatter: my values of chunk `to` to its owner; theirs of mine to me
      int to = (rank + d) % n;
      int from = (rank + n - d) % n;
      exchange(encoded, chunkStart(to, length), chunkLength(to, length), contributions, from * largest, myLength,
          to, from, TAG_REDUCE);
    }
    for (int i = 0; i < myLength; i++) { // float32, in rank order; the sum is rounded once
      float sum = c.decode(contributions[i]);
      for (int q = 1; q < n; q++) {
        sum += c.decode(contributions[q * largest + i]);
      }
      encoded[mine + i] = c.encode(sum);
    }
    for (int d = 1; d < n; d++) { // allgather of the encoded sums
      int to = (rank + d) % n;
      int from = (rank + n - d) % n;
      exchange(encoded, mine, myLength, encoded, chunkStart(from, length), chunkLength(from, length), to, from,
          TAG_GATHER);
    }
    float inverse = 1f / scale; // exact: a power of two
    for (int i = 0; i < length; i++) {
      buf[offset + i] = c.decode(encoded[i]) * inverse;
    }
  }

  /** Sends src[sAt, sAt+sLen) to {@code to} while receiving dst[rAt, rAt+rLen) from {@code from}, by segments. */
  private void exchange(short[] src, int sAt, int sLen, short[] dst, int rAt, int rLen, int to, int from, int tag)
      throws MPIException {
    int segments = Math.max(segmentsOf(sLen), segmentsOf(rLen));
    Request[] sends = new Request[2];
    Request[] recvs = new Request[2];
    post(src, sAt, sLen, rLen, 0, to, from, tag, sends, recvs);
    for (int k = 0; k < segments; k++) {
      if (k + 1 < segments) {
        post(src, sAt, sLen, rLen, k + 1, to, from, tag, sends, recvs);
      }
      int b = k & 1;
      if (recvs[b] != null) {
        recvs[b].Wait();
        System.arraycopy(recv[b], 0, dst, rAt + k * segment, segLength(k, rLen));
      }
      if (sends[b] != null) {
        sends[b].Wait();
      }
    }
  }

  private void post(short[] src, int sAt, int sLen, int rLen, int k, int to, int from, int tag, Request[] sends,
                    Request[] recvs) throws MPIException {
    int b = k & 1;
    int rn = segLength(k, rLen);
    recvs[b] = rn > 0 ? MPI.COMM_WORLD.Irecv(recv[b], 0, rn, MPI.SHORT, from, tag) : null;
    int sn = segLength(k, sLen);
    if (sn > 0) {
      System.arraycopy(src, sAt + k * segment, send[b], 0, sn);
      sends[b] = MPI.COMM_WORLD.Isend(send[b], 0, sn, MPI.SHORT, to, tag);
    } else {
      sends[b] = null;
    }
  }

  private int segmentsOf(int len) {
    return (len + segment - 1) / segment;
  }

  private int segLength(int k, int len) {
    return Math.max(0, Math.min(segment, len - k * segment));
  }

  private int chunkStart(int c, int length) {
    return (int) ((long) length * c / size);
  }

  private int chunkLength(int c, int length) {
    return chunkStart(c + 1, length) - chunkStart(c, length);
  }

  private void ensureScratch(int length, int contributionLength, int segmentLength) {
    if (encoded.length < length) {
      encoded = new short[length];
    }
    if (contributions.length < contributionLength) {
      contributions = new short[contributionLength];
    }
    int want = Math.max(1, segmentLength);
    if (send[0] == null || send[0].length < want) {
      for (int b = 0; b < 2; b++) {
        send[b] = new short[want];
        recv[b] = new short[want];
      }
    }
  }
}
