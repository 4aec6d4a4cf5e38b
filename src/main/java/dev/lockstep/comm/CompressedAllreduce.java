package dev.lockstep.comm;

import mpi.MPI;
import mpi.MPIException;
import mpi.Request;

/**
 * A SUM-allreduce over MPJ point-to-point whose messages carry 16-bit values ({@link Compression}): half the bytes of
 * the float32 {@link RingAllreduce}, for links where bytes cost (ranks on several hosts).
 *
 * <p>Chunk c of the buffer is owned by rank c. Reduce-scatter: in N-1 pairwise steps (step d: to rank+d, from
 * rank-d) every rank sends its encoded values of chunk c to c's owner. The owner decodes the N contributions of its
 * chunk, sums them in float32 in rank order and encodes the sum once. Allgather: the encoded sums go to every rank in
 * N-1 pairwise steps, and every rank — the owner too — keeps their decoded values. So every rank ends with the same
 * bits, exactly those of {@link Communicator#allreduceSum(float[], int, int, Compression)}'s roundings around a
 * rank-order sum. Each rank sends and receives (N-1)/N of the buffer twice, as 16-bit values, like a ring.
 *
 * <p>Messages travel in segments, double-buffered: a segment is encoded straight into its send buffer as it is
 * posted, and a received one is summed (last reduce step) or decoded (allgather) while the next is in flight, so
 * the conversions overlap the transfer. Scratch arrays at offset 0 (MPJ mishandles offsets, mpj-notes.md).
 * Per-rank object; call from the rank's own thread.
 */
final class CompressedAllreduce {
  /** Values per message: 512 KB of 16-bit values. */
  static final int SEGMENT = 1 << 18;
  private static final int TAG_REDUCE = 7201;
  private static final int TAG_GATHER = 7202;

  private final int rank;
  private final int size;
  private final int segment;
  private short[] contributions = new short[0]; // [size × largest chunk] every rank's encoded part of my chunk
  private short[] sums = new short[0]; // [largest chunk] the encoded sums of my chunk
  private float[] acc = new float[0]; // [segment] float32 sums of one segment
  private final short[][] send = new short[2][];
  private final short[][] recv = new short[2][];

  /** What to do with segment k of a received range once it is in {@code recv[b]}. */
  private interface Received {
    void accept(short[] values, int k, int n) throws MPIException;
  }

  /** Fills {@code send[b]} with segment k of the range being sent. */
  private interface Outgoing {
    void fill(short[] into, int k, int n);
  }

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
    ensureScratch(n * largest, largest, Math.min(segment, largest));
    float inverse = 1f / scale; // exact: a power of two
    int mine = chunkStart(rank, length);
    int myLength = chunkLength(rank, length);
    c.encode(buf, offset + mine, scale, contributions, rank * largest, myLength);
    for (int d = 1; d < n; d++) { // reduce-scatter: my values of chunk `to` to its owner; theirs of mine to me
      int to = (rank + d) % n;
      int from = (rank + n - d) % n;
      int toAt = offset + chunkStart(to, length);
      boolean last = d == n - 1;
      exchange(chunkLength(to, length), (into, k, len) -> c.encode(buf, toAt + k * segment, scale, into, 0, len),
          myLength, (values, k, len) -> {
            System.arraycopy(values, 0, contributions, from * largest + k * segment, len);
            if (last) { // every contribution of this segment is here: sum it
              reduceSegment(c, k * segment, len, largest, buf, offset + mine, inverse);
            }
          }, to, from, TAG_REDUCE);
    }
    for (int d = 1; d < n; d++) { // allgather of the encoded sums, decoded as they arrive
      int to = (rank + d) % n;
      int from = (rank + n - d) % n;
      int fromAt = offset + chunkStart(from, length);
      exchange(myLength, (into, k, len) -> System.arraycopy(sums, k * segment, into, 0, len),
          chunkLength(from, length), (values, k, len) -> c.decode(values, 0, inverse, buf, fromAt + k * segment, len),
          to, from, TAG_GATHER);
    }
  }

  /**
   * Sums [at, at+len) of my chunk over the contributions in rank order (float32), encodes the sums once and keeps
   * their decoded values in buf (at {@code mine + at}), like every other rank will.
   */
  private void reduceSegment(Compression c, int at, int len, int largest, float[] buf, int mine, float inverse) {
    c.decode(contributions, at, 1f, acc, 0, len);
    for (int q = 1; q < size; q++) {
      c.decodeAdd(contributions, q * largest + at, acc, len);
    }
    c.encode(acc, 0, 1f, sums, at, len);
    c.decode(sums, at, inverse, buf, mine + at, len);
  }

  /**
   * Sends {@code sLen} values to {@code to} (segment by segment, as {@code out} fills them) while receiving {@code
   * rLen} from {@code from} (each segment handed to {@code in} while the next is in flight).
   */
  private void exchange(int sLen, Outgoing out, int rLen, Received in, int to, int from, int tag)
      throws MPIException {
    int segments = Math.max(segmentsOf(sLen), segmentsOf(rLen));
    Request[] sends = new Request[2];
    Request[] recvs = new Request[2];
    post(out, sLen, rLen, 0, to, from, tag, sends, recvs);
    for (int k = 0; k < segments; k++) {
      int b = k & 1;
      if (k + 1 < segments) { // into the buffers of segment k-1, whose send was waited for
        post(out, sLen, rLen, k + 1, to, from, tag, sends, recvs);
      }
      if (recvs[b] != null) {
        recvs[b].Wait();
        in.accept(recv[b], k, segLength(k, rLen));
      }
      if (sends[b] != null) {
        sends[b].Wait();
      }
    }
  }

  private void post(Outgoing out, int sLen, int rLen, int k, int to, int from, int tag, Request[] sends,
                    Request[] recvs) throws MPIException {
    int b = k & 1;
    int rn = segLength(k, rLen);
    recvs[b] = rn > 0 ? MPI.COMM_WORLD.Irecv(recv[b], 0, rn, MPI.SHORT, from, tag) : null;
    int sn = segLength(k, sLen);
    if (sn > 0) {
      out.fill(send[b], k, sn);
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

  private void ensureScratch(int contributionLength, int largest, int segmentLength) {
    if (contributions.length < contributionLength) {
      contributions = new short[contributionLength];
    }
    if (sums.length < largest) {
      sums = new short[largest];
    }
    int want = Math.max(1, segmentLength);
    if (send[0] == null || send[0].length < want) {
      acc = new float[want];
      for (int b = 0; b < 2; b++) {
        send[b] = new short[want];
        recv[b] = new short[want];
      }
    }
  }
}
