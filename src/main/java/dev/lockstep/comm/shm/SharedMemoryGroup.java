package dev.lockstep.comm.shm;

import java.nio.FloatBuffer;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Collectives among rank threads of ONE JVM through plain memory: each rank publishes its buffer, then the ranks
 * reduce disjoint chunks of all buffers in parallel (reduce-scatter) and copy each other's reduced chunks
 * (allgather). No bytes go through MPJ.
 *
 * <p><b>Loaded once per JVM.</b> Under multicore every rank has its own class loader; this package must come from
 * the JVM's own classpath (the launcher puts a jar of it there, see {@code launch.SharedClasses}) so that every rank
 * sees the same {@link #GROUPS}. That map is the one deliberate piece of mutable static state in lockstep: it is
 * how the rank threads find each other. The package uses nothing but the JDK, so loading it from the parent
 * loader drags no per-rank class along.
 *
 * <p><b>Determinism.</b> Every element is summed in rank order 0, 1, …, N-1 by exactly one rank, and copied to the
 * others: all ranks get the same bits, run after run, whatever the chunking.
 */
public final class SharedMemoryGroup {
  private static final ConcurrentHashMap<String, SharedMemoryGroup> GROUPS = new ConcurrentHashMap<>();

  /** Chunk boundaries are multiples of this (64 bytes): two ranks never write one cache line of one buffer. */
  static final int ALIGN = 16;

  private final String key;
  private final int size;
  private final SpinBarrier barrier;
  private final Object[] buffers; // per rank: float[] or FloatBuffer, published before the first barrier
  private final int[] offsets;
  private final int[] lengths;
  private final Member[] members;

  private SharedMemoryGroup(String key, int size) {
    this.key = key;
    this.size = size;
    this.barrier = new SpinBarrier(size);
    this.buffers = new Object[size];
    this.offsets = new int[size];
    this.lengths = new int[size];
    this.members = new Member[size];
  }

  /**
   * Joins (creating on first use) the group {@code key} of {@code size} ranks in this JVM as {@code rank}. Every rank
   * of one job must pass the same key and size; a rank joins once.
   */
  public static Member join(String key, int size, int rank) {
    if (size < 1 || rank < 0 || rank >= size) {
      throw new IllegalArgumentException("shared-memory group " + key + ": rank " + rank + " of " + size);
    }
    SharedMemoryGroup group = GROUPS.computeIfAbsent(key, k -> new SharedMemoryGroup(k, size));
    if (group.size != size) {
      throw new IllegalStateException("shared-memory group " + key + " has " + group.size + " ranks, not " + size);
    }
    synchronized (group) {
      if (group.members[rank] != null) {
        throw new IllegalStateException("shared-memory group " + key + ": rank " + rank + " joined twice");
      }
      group.members[rank] = new Member(group, rank);
      return group.members[rank];
    }
  }

  /** True when this class is the copy every rank shares, i.e. not loaded by {@code rankLoader} itself. */
  public static boolean sharedAcross(ClassLoader rankLoader) {
    return SharedMemoryGroup.class.getClassLoader() != rankLoader;
  }

  private void leave(int rank) {
    synchronized (this) {
      members[rank] = null;
      for (Member m : members) {
        if (m != null) {
          return;
        }
      }
    }
    GROUPS.remove(key, this);
  }

  /** One rank's handle: its rank, its scratch blocks, its calls. Used only by that rank's thread (or its helper). */
  public static final class Member implements AutoCloseable {
    /** Floats summed per block: a few source blocks plus the accumulator stay in L1/L2. */
    private static final int BLOCK = 2048;

    private final SharedMemoryGroup group;
    private final int rank;
    private final float[] acc = new float[BLOCK];
    /** Up to this many floats every rank sums the whole buffer itself: 2 barriers instead of 3. */
    static final int SMALL = 4 * BLOCK;

    private final float[] tmp = new float[BLOCK]; // a FloatBuffer source's block, read in bulk
    private final float[] whole = new float[SMALL]; // small messages: this rank's copy of the full sum

    private Member(SharedMemoryGroup group, int rank) {
      this.group = group;
      this.rank = rank;
    }

    public int rank() {
      return rank;
    }

    public int size() {
      return group.size;
    }

    /** In-place SUM of buf[offset, offset+length) over the group. */
    public void allreduceSum(float[] buf, int offset, int length, long deadlineNanos) {
      allreduce(buf, offset, length, deadlineNanos);
    }

    /** In-place SUM of buf[offset, offset+length) (absolute indices; position and limit are ignored). */
    public void allreduceSum(FloatBuffer buf, int offset, int length, long deadlineNanos) {
      allreduce(buf, offset, length, deadlineNanos);
    }

    /** Copies root's buf[offset, offset+length) into every rank's buf[offset, offset+length). */
    public void broadcast(float[] buf, int offset, int length, int root, long deadlineNanos) {
      publish(buf, offset, length, deadlineNanos, "broadcast");
      if (rank != root) {
        copy(group.buffers[root], group.offsets[root], buf, offset, length);
      }
      group.barrier.await(deadlineNanos, "broadcast"); // root's buffer stays untouched until all have copied
      group.buffers[rank] = null;
    }

    public void barrier(long deadlineNanos) {
      group.barrier.await(deadlineNanos, "barrier");
    }

    @Override
    public void close() {
      group.leave(rank);
    }

    private void allreduce(Object buf, int offset, int length, long deadlineNanos) {
      int n = group.size;
      if (n == 1 || length == 0) {
        return; // every rank passes the same length (checked below when n > 1), so every rank returns
      }
      publish(buf, offset, length, deadlineNanos, "allreduce");
      if (length <= SMALL) {
        // Latency-bound: every rank sums everything (same order, same bits), then all write their own buffer.
        sumInto(0, length, whole, 0);
        group.barrier.await(deadlineNanos, "allreduce"); // all have read every buffer
        write(whole, 0, buf, offset, length);
        group.buffers[rank] = null;
        return;
      }
      // reduce-scatter: this rank sums its own chunk over all buffers, in rank order, into its own buffer
      int lo = chunkStart(rank, n, length);
      int hi = chunkStart(rank + 1, n, length);
      sumInto(lo, hi, buf, offset);
      group.barrier.await(deadlineNanos, "allreduce");
      // allgather: copy every other rank's reduced chunk from its buffer
      for (int c = 1; c < n; c++) {
        int owner = (rank + c) % n; // staggered, so the ranks do not all read one buffer at once
        int clo = chunkStart(owner, n, length);
        int chi = chunkStart(owner + 1, n, length);
        copy(group.buffers[owner], group.offsets[owner] + clo, buf, offset + clo, chi - clo);
      }
      group.barrier.await(deadlineNanos, "allreduce"); // nobody returns (and reuses its buffer) while read
      group.buffers[rank] = null;
    }

    /** dst[dstOffset + i] = sum over ranks q = 0, 1, ... of buffer_q[i] for i in [lo, hi), block by block. */
    private void sumInto(int lo, int hi, Object dst, int dstOffset) {
      int n = group.size;
      for (int i = lo; i < hi; i += BLOCK) {
        int len = Math.min(BLOCK, hi - i);
        read(group.buffers[0], group.offsets[0] + i, acc, len);
        for (int q = 1; q < n; q++) {
          addInto(group.buffers[q], group.offsets[q] + i, len);
        }
        write(acc, 0, dst, dstOffset + i, len);
      }
    }

    /** Publishes this rank's buffer and waits until all have; checks that all lengths agree. */
    private void publish(Object buf, int offset, int length, long deadlineNanos, String op) {
      int capacity = buf instanceof float[] a ? a.length : ((FloatBuffer) buf).capacity();
      if (offset < 0 || length < 0 || offset > capacity - length) {
        throw new IndexOutOfBoundsException(
            "range [" + offset + ", " + offset + "+" + length + ") outside a buffer of " + capacity);
      }
      group.buffers[rank] = buf;
      group.offsets[rank] = offset;
      group.lengths[rank] = length;
      group.barrier.await(deadlineNanos, op);
      for (int q = 0; q < group.size; q++) {
        if (group.lengths[q] != length) {
          throw new IllegalStateException(op + ": rank " + rank + " passed " + length + " floats but rank " + q
              + " passed " + group.lengths[q]);
        }
      }
    }

    private void addInto(Object src, int index, int len) {
      float[] a = acc;
      if (src instanceof float[] s) {
        for (int j = 0; j < len; j++) {
          a[j] += s[index + j];
        }
      } else {
        ((FloatBuffer) src).get(index, tmp, 0, len);
        float[] t = tmp;
        for (int j = 0; j < len; j++) {
          a[j] += t[j];
        }
      }
    }

    private static void read(Object src, int index, float[] dst, int len) {
      if (src instanceof float[] s) {
        System.arraycopy(s, index, dst, 0, len);
      } else {
        ((FloatBuffer) src).get(index, dst, 0, len);
      }
    }

    private static void write(float[] src, int srcIndex, Object dst, int index, int len) {
      if (dst instanceof float[] d) {
        System.arraycopy(src, srcIndex, d, index, len);
      } else {
        ((FloatBuffer) dst).put(index, src, srcIndex, len);
      }
    }

    private static void copy(Object src, int srcIndex, Object dst, int dstIndex, int len) {
      if (len == 0) {
        return;
      }
      if (dst instanceof float[] d) {
        if (src instanceof float[] s) {
          System.arraycopy(s, srcIndex, d, dstIndex, len);
        } else {
          ((FloatBuffer) src).get(srcIndex, d, dstIndex, len);
        }
      } else if (src instanceof float[] s) {
        ((FloatBuffer) dst).put(dstIndex, s, srcIndex, len);
      } else {
        ((FloatBuffer) dst).put(dstIndex, (FloatBuffer) src, srcIndex, len);
      }
    }
  }

  /** Start of chunk {@code c} of {@code n} over {@code length} floats: equal shares, rounded to {@link #ALIGN}. */
  static int chunkStart(int c, int n, int length) {
    if (c >= n) {
      return length;
    }
    long start = (long) length * c / n;
    return (int) Math.min(length, (start + ALIGN - 1) / ALIGN * ALIGN);
  }
}
