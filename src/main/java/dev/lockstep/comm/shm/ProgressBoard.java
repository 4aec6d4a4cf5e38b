package dev.lockstep.comm.shm;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * How far each rank thread of ONE JVM (multicore, or hybdev on one host) has come (collectives entered, training
 * step), readable by every other rank without MPJ: the stall inspector names the ranks that have not reached a
 * collective, and a rank that calls {@code System.exit} is named with its step by a shutdown hook (the exit ends every
 * rank thread at once).
 *
 * <p>Loaded once per JVM like {@link SharedMemoryGroup} (see there); {@link #BOARDS} is the second deliberate piece of
 * mutable static state. Writes are release stores: a collective pays a few nanoseconds for them.
 */
public final class ProgressBoard {
  private static final Map<String, ProgressBoard> BOARDS = new ConcurrentHashMap<>();
  private static final Thread EXIT_REPORT = new Thread(ProgressBoard::reportExits, "lockstep-exit-report");

  static {
    Runtime.getRuntime().addShutdownHook(EXIT_REPORT);
  }

  private final int size;
  private final AtomicLongArray collectives; // per rank: number of collectives entered
  private final AtomicLongArray steps; // per rank: the (1-based) training step it works on; 0 before the first
  private final AtomicReferenceArray<ThreadGroup> groups; // per rank: its threads, to attribute a System.exit
  private final AtomicIntegerArray finished; // per rank: 1 once it ended normally

  private ProgressBoard(int size) {
    this.size = size;
    this.collectives = new AtomicLongArray(size);
    this.steps = new AtomicLongArray(size);
    this.groups = new AtomicReferenceArray<>(size);
    this.finished = new AtomicIntegerArray(size);
  }

  /**
   * The board {@code key} of {@code size} ranks in this JVM (created on first use); {@code rank}'s threads are those
   * of {@code group}.
   */
  public static ProgressBoard join(String key, int size, int rank, ThreadGroup group) {
    if (size < 1 || rank < 0 || rank >= size) {
      throw new IllegalArgumentException("progress board " + key + ": rank " + rank + " of " + size);
    }
    ProgressBoard board = BOARDS.computeIfAbsent(key, k -> new ProgressBoard(size));
    if (board.size != size) {
      throw new IllegalStateException("progress board " + key + " has " + board.size + " ranks, not " + size);
    }
    board.groups.set(rank, group);
    return board;
  }

  /** True when this class is the copy every rank shares, i.e. not loaded by {@code rankLoader} itself. */
  public static boolean sharedAcross(ClassLoader rankLoader) {
    return ProgressBoard.class.getClassLoader() != rankLoader;
  }

  public int size() {
    return size;
  }

  public void setCollectives(int rank, long n) {
    collectives.setRelease(rank, n);
  }

  public long collectives(int rank) {
    return collectives.getAcquire(rank);
  }

  public void setStep(int rank, long step) {
    steps.setRelease(rank, step);
  }

  public long step(int rank) {
    return steps.getAcquire(rank);
  }

  /** The rank ended normally: a later exit of the JVM is not its doing. */
  public void finish(int rank) {
    finished.set(rank, 1);
  }

  /**
   * Shutdown hook: a thread of a registered, unfinished rank that is inside {@code Runtime.exit} is the rank that ended
   * the JVM; say which and at which step (the launcher only sees the JVM's exit code). {@code halt} runs no hooks, so
   * lockstep's own orderly failures, which already printed their line, never come here.
   */
  private static void reportExits() {
    List<String> lines = new ArrayList<>();
    Map<Thread, StackTraceElement[]> stacks = Thread.getAllStackTraces();
    for (ProgressBoard board : BOARDS.values()) {
      for (int r = 0; r < board.size; r++) {
        ThreadGroup g = board.groups.get(r);
        if (g == null || board.finished.get(r) == 1) {
          continue;
        }
        for (Map.Entry<Thread, StackTraceElement[]> t : stacks.entrySet()) {
          if (t.getKey().getThreadGroup() == g && callsExit(t.getValue())) {
            long step = board.step(r);
            lines.add("lockstep: rank " + r + " called System.exit " + (step > 0 ? "at step " + step
                : "before its first training step") + "; its JVM and every rank in it end with it");
            break;
          }
        }
      }
    }
    PrintStream err = System.err;
    lines.forEach(err::println);
    err.flush();
  }

  private static boolean callsExit(StackTraceElement[] stack) {
    for (StackTraceElement e : stack) {
      if (e.getClassName().equals("java.lang.Runtime") && e.getMethodName().equals("exit")) {
        return true;
      }
    }
    return false;
  }
}
