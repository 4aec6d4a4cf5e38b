package dev.lockstep.comm.shm;

import java.nio.FloatBuffer;

/**
 * Float allreduce (SUM, in place) and broadcast among rank processes of one host through a {@link SharedSegment}:
 * what Open MPI's shared-memory transport does, here with two barriers and three memory passes per piece.
 *
 * <p>A message goes in pieces of up to {@code size × slot} floats; a piece is cut into {@code size} chunks, one per
 * rank, and region q of the segment holds {@code size} slots of {@code slot} floats, slot c for chunk c. Per piece:
 * <ol>
 *   <li>rank r copies its chunks c ≠ r into slots c of its region;
 *   <li>barrier; rank r sums chunk r in rank order 0..N-1 (its own buffer for itself, slot r of region q for rank q)
 *       into its buffer and into slot r of its own region;
 *   <li>barrier; rank r copies every other rank q's reduced chunk from slot q of region q into its buffer.
 * </ol>
 * No third barrier is needed before the next piece: slot c ≠ q of region q is written (step 1) only after the second
 * barrier, by which rank c has finished reading it (step 2); slot q of region q is written (step 2) only after the next
 * piece's first barrier, by which every rank has finished reading it (step 3). Slots sit at fixed places, so this holds
 * whatever the pieces' lengths.
 *
 * <p><b>Determinism.</b> Each element is summed by exactly one rank in rank order and copied to the others: every rank
 * gets the same bits, run after run. Per-rank object; one thread at a time.
 */
public final class SegmentCollectives {
  /** Chunks start at multiples of 16 floats (64 bytes): two ranks never write one cache line of a slot. */
  static final int ALIGN = 16;
  /** Floats summed per block: the sources' blocks and the accumulator stay in L1. */
  private static final int BLOCK = 2048;

  private final SharedSegment segment;
  private final int rank;
  private final int size;
  private final int slot; // floats per slot; a multiple of ALIGN
  private final float[] acc = new float[BLOCK];
  private final float[] tmp = new float[BLOCK];
  private final ArrayLocal arrayLocal = new ArrayLocal();
  private final BufferLocal bufferLocal = new BufferLocal();

  public SegmentCollectives(SharedSegment segment) {
    this.segment = segment;
    this.rank = segment.rank();
    this.size = segment.size();
    this.slot = segment.regionFloats() / size / ALIGN * ALIGN;
    if (slot < ALIGN) {
      throw new IllegalArgumentException("shared segment regions of " + segment.regionFloats() + " floats are too "
          + "small for " + size + " ranks");
    }
  }

  /** Region floats for pieces of about {@code pieceFloats} floats among {@code size} ranks (whole aligned slots). */
  public static int regionFloatsFor(int size, int pieceFloats) {
    int slot = Math.max(ALIGN, (pieceFloats / size + ALIGN - 1) / ALIGN * ALIGN);
    return slot * size;
  }

  public SharedSegment segment() {
    return segment;
  }

  /** In-place SUM of buf[offset, offset+length) over the ranks. */
  public void allreduceSum(float[] buf, int offset, int length, long deadlineNanos) {
    arrayLocal.a = buf;
    try {
      allreduce(arrayLocal, offset, length, deadlineNanos);
    } finally {
      arrayLocal.a = null;
    }
  }

  /** In-place SUM of buf[offset, offset+length) (absolute indices; position and limit are ignored). */
  public void allreduceSum(FloatBuffer buf, int offset, int length, long deadlineNanos) {
    bufferLocal.b = buf;
    try {
      allreduce(bufferLocal, offset, length, deadlineNanos);
    } finally {
      bufferLocal.b = null;
    }
  }

  /**
   * Copies root's buf[offset, offset+length) into every rank's. Three barriers per piece: root must not write its
   * region while a rank still reads it (the collective before, or the previous piece).
   */
  public void broadcast(float[] buf, int offset, int length, int root, long deadlineNanos) {
    FloatBuffer from = segment.region(root);
    int piece = slot * size;
    for (int p = 0; p < length; p += piece) {
      int m = Math.min(piece, length - p);
      segment.barrier(deadlineNanos, "broadcast");
      if (rank == root) {
        from.put(0, buf, offset + p, m);
      }
      segment.barrier(deadlineNanos, "broadcast");
      if (rank != root) {
        from.get(0, buf, offset + p, m);
      }
      segment.barrier(deadlineNanos, "broadcast");
    }
  }

  private void allreduce(Local local, int offset, int length, long deadlineNanos) {
    int piece = slot * size;
    FloatBuffer mine = segment.region(rank);
    for (int p = 0; p < length; p += piece) {
      int at = offset + p;
      int m = Math.min(piece, length - p);
      // ceil(m/N) rounded up to ALIGN: N chunks cover m, and m ≤ N·slot keeps a chunk within its slot
      int chunk = ((m + size - 1) / size + ALIGN - 1) / ALIGN * ALIGN;
      for (int c = 0; c < size; c++) { // 1: publish the chunks the other ranks reduce
        int lo = Math.min(m, c * chunk);
        int n = Math.min(m, lo + chunk) - lo;
        if (c != rank && n > 0) {
          local.copyTo(at + lo, mine, c * slot, n);
        }
      }
      segment.barrier(deadlineNanos, "allreduce");
      int lo = Math.min(m, rank * chunk); // 2: reduce my chunk in rank order
      int hi = Math.min(m, lo + chunk);
      for (int j = lo; j < hi; j += BLOCK) {
        int n = Math.min(BLOCK, hi - j);
        int s = rank * slot + (j - lo);
        for (int q = 0; q < size; q++) {
          if (q == rank) {
            if (q == 0) {
              local.load(at + j, acc, n);
            } else {
              local.addTo(at + j, acc, n);
            }
          } else if (q == 0) {
            segment.region(q).get(s, acc, 0, n);
          } else {
            segment.region(q).get(s, tmp, 0, n);
            for (int k = 0; k < n; k++) {
              acc[k] += tmp[k];
            }
          }
        }
        local.store(at + j, acc, n);
        mine.put(s, acc, 0, n);
      }
      segment.barrier(deadlineNanos, "allreduce");
      for (int c = 0; c < size; c++) { // 3: gather the others' reduced chunks
        int clo = Math.min(m, c * chunk);
        int n = Math.min(m, clo + chunk) - clo;
        if (c != rank && n > 0) {
          local.copyFrom(segment.region(c), c * slot, at + clo, n);
        }
      }
    }
  }

  /** The rank's own buffer: a float[] or a FloatBuffer, addressed by absolute index. */
  private interface Local {
    void copyTo(int at, FloatBuffer dst, int dstAt, int n);

    void copyFrom(FloatBuffer src, int srcAt, int at, int n);

    void load(int at, float[] into, int n);

    void addTo(int at, float[] into, int n);

    void store(int at, float[] from, int n);
  }

  private static final class ArrayLocal implements Local {
    float[] a;

    @Override
    public void copyTo(int at, FloatBuffer dst, int dstAt, int n) {
      dst.put(dstAt, a, at, n);
    }

    @Override
    public void copyFrom(FloatBuffer src, int srcAt, int at, int n) {
      src.get(srcAt, a, at, n);
    }

    @Override
    public void load(int at, float[] into, int n) {
      System.arraycopy(a, at, into, 0, n);
    }

    @Override
    public void addTo(int at, float[] into, int n) {
      for (int k = 0; k < n; k++) {
        into[k] += a[at + k];
      }
    }

    @Override
    public void store(int at, float[] from, int n) {
      System.arraycopy(from, 0, a, at, n);
    }
  }

  private static final class BufferLocal implements Local {
    FloatBuffer b;
    private final float[] block = new float[BLOCK];

    @Override
    public void copyTo(int at, FloatBuffer dst, int dstAt, int n) {
      dst.put(dstAt, b, at, n);
    }

    @Override
    public void copyFrom(FloatBuffer src, int srcAt, int at, int n) {
      b.put(at, src, srcAt, n);
    }

    @Override
    public void load(int at, float[] into, int n) {
      b.get(at, into, 0, n);
    }

    @Override
    public void addTo(int at, float[] into, int n) {
      b.get(at, block, 0, n);
      for (int k = 0; k < n; k++) {
        into[k] += block[k];
      }
    }

    @Override
    public void store(int at, float[] from, int n) {
      b.put(at, from, 0, n);
    }
  }
}
