package dev.lockstep.comm;

import dev.lockstep.comm.shm.ProgressBoard;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * This rank's progress (collectives entered, training step), published where every rank of the job — and the
 * launcher — can read it without MPJ, which is what may be stuck. The stall inspector names the ranks that have not
 * reached a collective; the launcher names the step a dead rank was at.
 *
 * <p>Where it lives: rank threads of one multicore JVM share a {@link ProgressBoard}; rank processes map one small
 * file each, {@code rank-<r>.progress} in the job directory the launcher gives them (two little-endian longs:
 * collectives entered, step), so a write is a store into the page cache. Ranks started without lockstep's
 * launcher (mpjrun.sh) have neither and publish nowhere: the inspector then says the peers are unknown.
 */
public final class Progress implements AutoCloseable {
  private static final int COLLECTIVES = 0;
  private static final int STEP = 8;
  private static final int FILE_BYTES = 16;

  /** Where the numbers live; the file variant maps peers lazily (they may not have started yet). */
  private interface Slots {
    void put(int rank, int field, long value);

    /** -1 when that rank's slot cannot be read (not started, or no board at all). */
    long get(int rank, int field);

    default void finish(int rank) {}
  }

  private final int rank;
  private final int size;
  private final Slots slots;
  private final String unknownWhy; // non-null: peers cannot be seen, and why
  private long collectives; // this rank's count; only its own thread writes it
  private long step;

  private Progress(int rank, int size, Slots slots, String unknownWhy) {
    this.rank = rank;
    this.size = size;
    this.slots = slots;
    this.unknownWhy = unknownWhy;
  }

  /** On the board shared by the rank threads of this JVM (requires {@link ProgressBoard} to be the shared copy). */
  static Progress shared(int rank, int size) {
    ProgressBoard board = ProgressBoard.join("lockstep-multicore-world", size, rank,
        Thread.currentThread().getThreadGroup());
    return new Progress(rank, size, new Slots() {
      @Override
      public void put(int r, int field, long value) {
        if (field == COLLECTIVES) {
          board.setCollectives(r, value);
        } else {
          board.setStep(r, value);
        }
      }

      @Override
      public long get(int r, int field) {
        return field == COLLECTIVES ? board.collectives(r) : board.step(r);
      }

      @Override
      public void finish(int r) {
        board.finish(r);
      }
    }, null);
  }

  /** In {@code dir}, one mapped file per rank; peers unknown when the directory is not there (another host). */
  static Progress files(Path dir, int rank, int size) {
    if (!Files.isDirectory(dir)) {
      return unknown(rank, size, "the job directory " + dir + " is not on this host");
    }
    MappedByteBuffer own;
    try {
      own = createOwn(dir, rank);
    } catch (IOException e) {
      return unknown(rank, size, "cannot write " + file(dir, rank) + ": " + e.getMessage());
    }
    MappedByteBuffer[] peers = new MappedByteBuffer[size];
    peers[rank] = own;
    return new Progress(rank, size, new Slots() {
      @Override
      public void put(int r, int field, long value) {
        own.putLong(field, value);
      }

      @Override
      public long get(int r, int field) {
        if (peers[r] == null) {
          peers[r] = mapPeer(file(dir, r));
        }
        return peers[r] == null ? -1 : peers[r].getLong(field);
      }
    }, null);
  }

  /** Publishes nowhere; {@code why} is said wherever the peers would have been named. */
  static Progress unknown(int rank, int size, String why) {
    return new Progress(rank, size, new Slots() {
      @Override
      public void put(int r, int field, long value) {}

      @Override
      public long get(int r, int field) {
        return -1;
      }
    }, why);
  }

  /** The step rank {@code rank} published in the job directory {@code dir}, if it published one there. */
  public static OptionalLong stepInFile(Path dir, int rank) {
    MappedByteBuffer b = mapPeer(file(dir, rank));
    return b == null ? OptionalLong.empty() : OptionalLong.of(b.getLong(STEP));
  }

  /** Counts one more collective entered by this rank and returns its number (1-based). */
  long enterCollective() {
    collectives++;
    slots.put(rank, COLLECTIVES, collectives);
    return collectives;
  }

  /** The (1-based) training step this rank now works on. */
  public void step(long step) {
    this.step = step;
    slots.put(rank, STEP, step);
  }

  public long step() {
    return step;
  }

  /** This rank ended normally (multicore: a later JVM exit is not its doing). */
  public void finish() {
    slots.finish(rank);
  }

  /** Peers are unknown, and why; null when {@link #notArrivedAt} can answer. */
  String unknownWhy() {
    return unknownWhy;
  }

  /** The ranks that have not yet entered collective number {@code n}: their count is below it or unreadable. */
  List<Integer> notArrivedAt(long n) {
    List<Integer> late = new ArrayList<>();
    for (int r = 0; r < size; r++) {
      if (r != rank && slots.get(r, COLLECTIVES) < n) {
        late.add(r);
      }
    }
    return late;
  }

  /** The step rank {@code r} published; -1 when unreadable. */
  long stepOf(int r) {
    return slots.get(r, STEP);
  }

  @Override
  public void close() {
    finish();
  }

  static Path file(Path dir, int rank) {
    return dir.resolve("rank-" + rank + ".progress");
  }

  /** Written whole under a temporary name, then renamed: a reader never maps a short file. */
  private static MappedByteBuffer createOwn(Path dir, int rank) throws IOException {
    Path target = file(dir, rank);
    Path tmp = Files.createTempFile(dir, "rank-" + rank + ".", ".part");
    Files.write(tmp, new byte[FILE_BYTES]);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_BYTES); // stays valid after close
      b.order(ByteOrder.LITTLE_ENDIAN);
      return b;
    }
  }

  private static MappedByteBuffer mapPeer(Path f) {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      if (ch.size() < FILE_BYTES) {
        return null;
      }
      MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, FILE_BYTES);
      b.order(ByteOrder.LITTLE_ENDIAN);
      return b;
    } catch (IOException e) {
      return null; // not there (yet): that rank has not started, or runs elsewhere
    }
  }
}
