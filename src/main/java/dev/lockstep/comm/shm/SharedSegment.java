package dev.lockstep.comm.shm;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

/**
 * A file under /dev/shm mapped by every rank process of one host: a header of per-rank barrier counters, then one
 * float region per rank. Rank 0 {@link #create creates} it, the others {@link #open} it by name; once all have mapped
 * it, rank 0 {@link #unlink unlinks} it, so nothing is left behind even if the job is killed later.
 *
 * <p>Layout (native byte order): bytes [0, 8) a nonce that proves the others mapped the file rank 0 wrote; the
 * barrier counter of rank q at byte 64·(q+1) (one cache line each); region q (regionFloats floats) at
 * {@code header + 4·regionFloats·q}.
 *
 * <p>The barrier: a rank stores its barrier count (release) and waits until every other rank's count has reached it
 * (acquire), so every write before the barrier is visible to every rank after it. Each counter has one writer, so no
 * atomic read-modify-write is needed across processes. Waiting spins briefly, then yields for up to 200 µs, then
 * naps, so that oversubscribed ranks (np > cores) leave the CPU to the late one.
 */
public final class SharedSegment {
  private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final int LINE = 64;
  private static final long YIELD_NANOS = 200_000;
  private static final long NAP_NANOS = 20_000;

  private final Path file;
  private final int size;
  private final int rank;
  private final int regionFloats;
  private final MappedByteBuffer map;
  private final FloatBuffer[] regions;
  private final int spins;
  private long count; // barriers passed by this rank
  private boolean broken;

  private SharedSegment(Path file, FileChannel channel, int size, int rank, int regionFloats) throws IOException {
    this.file = file;
    this.size = size;
    this.rank = rank;
    this.regionFloats = regionFloats;
    int header = headerBytes(size);
    this.map = channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes(size, regionFloats));
    map.order(ByteOrder.nativeOrder());
    this.regions = new FloatBuffer[size];
    for (int q = 0; q < size; q++) {
      regions[q] = map.slice(header + 4 * q * regionFloats, 4 * regionFloats).order(ByteOrder.nativeOrder())
          .asFloatBuffer();
    }
    this.spins = size <= Runtime.getRuntime().availableProcessors() ? 2_000 : 50;
  }

  /** Rank 0: creates {@code file} (which must not exist) for {@code size} ranks, writes {@code nonce}, maps it. */
  public static SharedSegment create(Path file, int size, int regionFloats, long nonce) throws IOException {
    check(size, regionFloats);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      SharedSegment s = new SharedSegment(file, ch, size, 0, regionFloats); // mapping a longer range extends the file
      s.map.putLong(0, nonce);
      s.map.load(); // fault the pages in now, not in the first timed collective
      return s;
    }
  }

  /** Ranks 1..size-1: maps the file rank 0 created; throws unless it carries {@code nonce}. */
  public static SharedSegment open(Path file, int size, int rank, int regionFloats, long nonce) throws IOException {
    check(size, regionFloats);
    if (rank <= 0 || rank >= size) {
      throw new IllegalArgumentException("shared segment: rank " + rank + " of " + size + " cannot open it");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      if (ch.size() != bytes(size, regionFloats)) {
        throw new IOException(file + " has " + ch.size() + " bytes, expected " + bytes(size, regionFloats));
      }
      SharedSegment s = new SharedSegment(file, ch, size, rank, regionFloats);
      if (s.map.getLong(0) != nonce) {
        throw new IOException(file + " is not the segment rank 0 created (another /dev/shm?)");
      }
      s.map.load();
      return s;
    }
  }

  /** Removes the file's name (rank 0, once every rank has mapped it); the mappings stay valid. */
  public void unlink() throws IOException {
    Files.deleteIfExists(file);
  }

  public Path file() {
    return file;
  }

  public int size() {
    return size;
  }

  public int rank() {
    return rank;
  }

  public int regionFloats() {
    return regionFloats;
  }

  /** Rank q's float region; absolute get/put only (the buffer's position is shared by its users). */
  public FloatBuffer region(int q) {
    return regions[q];
  }

  /** Waits until every rank has reached this barrier, or throws {@link ShmTimeoutException} at the deadline. */
  public void barrier(long deadlineNanos, String op) {
    if (broken) {
      throw new ShmTimeoutException(op + ": the shared-memory segment is broken by an earlier timeout");
    }
    long target = ++count;
    LONGS.setRelease(map, counterAt(rank), target);
    for (int q = 0; q < size; q++) {
      if (q == rank) {
        continue;
      }
      int at = counterAt(q);
      int waits = 0;
      long t0 = 0;
      while ((long) LONGS.getAcquire(map, at) < target) {
        if (waits < spins) {
          Thread.onSpinWait();
        } else if (waits == spins) {
          t0 = System.nanoTime();
          Thread.yield();
        } else if (System.nanoTime() - t0 < YIELD_NANOS) {
          Thread.yield();
        } else {
          LockSupport.parkNanos(NAP_NANOS);
          if (System.nanoTime() - deadlineNanos > 0 && (long) LONGS.getAcquire(map, at) < target) {
            broken = true;
            throw new ShmTimeoutException(op + ": rank " + q + " did not reach the shared-memory barrier before the "
                + "deadline");
          }
        }
        waits++;
      }
    }
  }

  static long bytes(int size, int regionFloats) {
    return headerBytes(size) + 4L * size * regionFloats;
  }

  private static int counterAt(int q) {
    return LINE * (q + 1);
  }

  /** The nonce and one cache line per rank's counter, rounded up to a page so that the regions start page-aligned. */
  private static int headerBytes(int size) {
    return (LINE * (size + 1) + 4095) / 4096 * 4096;
  }

  private static void check(int size, int regionFloats) {
    if (size < 1 || regionFloats < 1 || bytes(size, regionFloats) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("shared segment: " + size + " ranks of " + regionFloats
          + " floats do not fit one mapping (2 GB)");
    }
  }
}
