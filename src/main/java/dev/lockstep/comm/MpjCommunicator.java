package dev.lockstep.comm;

import dev.lockstep.comm.shm.HostKey;
import dev.lockstep.comm.shm.SegmentCollectives;
import dev.lockstep.comm.shm.SharedMemoryGroup;
import dev.lockstep.comm.shm.SharedSegment;
import java.io.IOException;
import java.io.PrintStream;
import dev.lockstep.comm.shm.ProgressBoard;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import mpi.MPI;
import mpi.MPIException;

/**
 * {@link Communicator} over MPJ Express's {@code MPI.COMM_WORLD}, each call under a deadline.
 *
 * <p>Threading: MPJ takes a rank's identity from the calling thread's thread group, so every call must come from the
 * rank's own thread (never a shared pool). Under multicore each rank has its own copy of this class and of MPJ's
 * {@code mpi.*} classes (per-rank class loaders), so nothing here is shared between ranks.
 *
 * <p>MPJ collectives mishandle non-zero array offsets (mpj-notes.md); calls with an offset go through a scratch array
 * at offset 0. MPJ's reduction copies the send array into the receive array first, so passing the same array as both
 * is a correct in-place allreduce.
 *
 * <p>Float allreduce and broadcast go by {@link CommAlgorithm} ({@code comm.algorithm}, default auto): when every rank
 * is a thread of this JVM ({@code multicore}, or {@code hybdev} on one host, under lockstep's launcher) they use
 * {@link SharedMemoryGroup}; rank processes that all run on this host ({@link HostKey}: same machine and network
 * namespace) use a file mapping under /dev/shm ({@link SegmentCollectives}); other ranks (niodev or hybdev across
 * hosts) use {@link RingAllreduce} for large messages and MPJ's built-in for small ones; {@code mpj} always uses
 * MPJ's built-in (the reference).
 *
 * <p>Every collective is counted in this rank's {@link Progress}, so the stall inspector (the deadline watchdog's
 * warnings) can name the ranks that have not reached the collective this rank waits in.
 */
public final class MpjCommunicator implements Communicator {
  public static final double DEFAULT_TIMEOUT_SECONDS = 120;
  /** Below this many floats (64 KB) auto prefers MPJ's tree to the ring: 2 log N message latencies, not 2 (N-1). */
  static final int RING_MIN_FLOATS = 1 << 14;
  /** MPJ device names (args[2] of a rank) whose ranks are threads of a JVM (hybdev: of one JVM per host). */
  private static final Set<String> THREAD_DEVICES = Set.of("smpdev", "multicore", "hybdev");
  /** Where shm_process maps its segment: tmpfs, memory without a disk behind it. */
  private static final Path SEGMENT_DIR = Path.of("/dev/shm");
  /** Floats per shm_process piece (8 MB): the segment holds one piece per rank, N × 8 MB in all. */
  static final int SEGMENT_PIECE_FLOATS = 1 << 21;
  /** Bytes of the setup message: nonce (8), name length (2), file name. */
  private static final int SEGMENT_MESSAGE_BYTES = 512;

  private final int rank;
  private final int size;
  private final DeadlineWatchdog watchdog;
  private final Progress progress;
  private final boolean sameJvm; // the ranks are threads of this JVM and share one SharedMemoryGroup class
  private final boolean sameHost; // every rank runs on this host in this network namespace (HostKey)
  private SegmentCollectives segment; // shm_process: mapped on first use
  private String segmentFailure; // why shm_process could not be set up (every rank agrees); null if it could
  private CommAlgorithm algorithm = CommAlgorithm.AUTO;
  private SharedMemoryGroup.Member shm; // joined on first use
  private RingAllreduce ring; // created on first use
  private CompressedAllreduce compressed; // created on first use
  private float[] scratch = new float[0]; // offset != 0 calls only; grown on demand
  private final double[] one = new double[1];

  /** Over an already initialised MPJ ({@link #init}), with the default deadline of 120 s per call. */
  public MpjCommunicator() {
    this(DEFAULT_TIMEOUT_SECONDS);
  }

  /** Over an already initialised MPJ ({@link #init}); every call must complete within {@code timeoutSeconds}. */
  public MpjCommunicator(double timeoutSeconds) {
    this(timeoutSeconds, null);
  }

  /**
   * Over an already initialised MPJ; {@code device} is MPJ's device name as the rank received it ({@code smpdev} for
   * multicore, {@code niodev}, ...; null when unknown) and decides which algorithms can run.
   */
  public MpjCommunicator(double timeoutSeconds, String device) {
    this(timeoutSeconds, device, null);
  }

  /**
   * Same; {@code jobDir} is the launcher's per-job directory where rank processes publish their progress (null when
   * started without lockstep's launcher: the stall inspector then cannot name late peers, and says so).
   */
  public MpjCommunicator(double timeoutSeconds, String device, Path jobDir) {
    // without MPJ's arguments: a multicore JVM holds every rank, a hybdev host JVM may hold only some
    this(timeoutSeconds, device, jobDir, "hybdev".equals(device) ? 1 : Integer.MAX_VALUE);
  }

  /**
   * Same; {@code ranksInThisJvm} is how many ranks MPJ started as threads of this JVM ({@link #ranksInThisJvm}). The
   * shared-memory collectives and progress board need every rank here: under hybdev only a single-host job has them.
   * {@link Integer#MAX_VALUE} means all (multicore).
   */
  public MpjCommunicator(double timeoutSeconds, String device, Path jobDir, int ranksInThisJvm) {
    try {
      this.rank = MPI.COMM_WORLD.Rank();
      this.size = MPI.COMM_WORLD.Size();
    } catch (MPIException e) {
      throw new CommException("MPJ is not initialised: " + e.getMessage(), e);
    }
    boolean allHere = device != null && THREAD_DEVICES.contains(device) && ranksInThisJvm >= size;
    this.sameJvm = allHere && SharedMemoryGroup.sharedAcross(MpjCommunicator.class.getClassLoader());
    this.progress = allHere && ProgressBoard.sharedAcross(MpjCommunicator.class.getClassLoader())
        ? Progress.shared(rank, size)
        : jobDir != null ? Progress.files(jobDir, rank, size)
        : Progress.unknown(rank, size,
            "ranks started by MPJ daemons or without lockstep's launcher publish no progress");
    this.watchdog = new DeadlineWatchdog("lockstep-deadline-rank-" + rank, timeoutSeconds,
        new HaltOnExpiry(rank, progress));
    this.sameHost = size > 1 && allOnThisHost();
  }

  /**
   * Initialises MPJ for this rank from the arguments MPJ's starter gave {@code main} ({@code <rank> <size|config>
   * <device> app-args...}) and returns the application's arguments.
   */
  public static String[] init(String[] mpjArgs) {
    try {
      return MPI.Init(mpjArgs);
    } catch (MPIException e) {
      throw new CommException("MPI.Init failed: " + e.getMessage(), e);
    }
  }

  /**
   * How many ranks MPJ's starter runs as threads of this JVM, from the arguments it gave {@code main} ({@code <rank>
   * <size|threads|config> <device> ...}): multicore's second argument is the job's size, hybdev's the number of rank
   * threads on this host; a niodev process holds one rank.
   */
  public static int ranksInThisJvm(String[] mpjArgs) {
    if (mpjArgs.length < 3 || !THREAD_DEVICES.contains(mpjArgs[2])) {
      return 1;
    }
    try {
      return Math.max(1, Integer.parseInt(mpjArgs[1]));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** Changes the deadline of every later call (the training task applies {@code comm.timeout_s} from its config). */
  public void setTimeoutSeconds(double seconds) {
    watchdog.setTimeoutSeconds(seconds);
  }

  public double timeoutSeconds() {
    return watchdog.timeoutSeconds();
  }

  /** Stall warnings start after this long in one call ({@code comm.warn_after_s}; half the deadline if sooner). */
  public void setWarnAfterSeconds(double seconds) {
    watchdog.setWarnAfterSeconds(seconds);
  }

  /** Where this rank publishes how far it is (collectives, step) for its peers and the launcher. */
  public Progress progress() {
    return progress;
  }

  @Override
  public void publishStep(long step) {
    progress.step(step);
  }

  /**
   * Chooses the float allreduce/broadcast algorithm ({@code comm.algorithm}). Every rank must choose the same.
   *
   * @throws IllegalArgumentException for an unknown name, or shm where the ranks do not share a JVM
   */
  public void setAlgorithm(String name) {
    CommAlgorithm a = CommAlgorithm.parse(name);
    if (a == CommAlgorithm.SHM && !sharedMemoryAvailable()) {
      throw new IllegalArgumentException("comm.algorithm: shm needs ranks that are all threads of one JVM "
          + "started by lockstep's launcher (--dev multicore, or hybdev on one host); use auto, ring or mpj here");
    }
    if (a == CommAlgorithm.SHM_PROCESS && !hostSharedMemoryAvailable()) {
      throw new IllegalArgumentException("comm.algorithm: shm_process needs every rank on one host (one machine, one "
          + "network namespace" + (segmentFailure == null ? "" : ", and a usable /dev/shm: " + segmentFailure)
          + "); use auto, ring or mpj here");
    }
    algorithm = a;
  }

  @Override
  public boolean ranksShareJvm() {
    return sameJvm;
  }

  public CommAlgorithm algorithm() {
    return algorithm;
  }

  /** True when the ranks are threads of this JVM sharing one copy of the shared-memory collectives. */
  public boolean sharedMemoryAvailable() {
    return sameJvm && size > 1;
  }

  /**
   * True when every rank runs on this host in this network namespace, so that shm_process can map one file for all
   * (and its setup has not failed).
   */
  public boolean hostSharedMemoryAvailable() {
    return sameHost && segmentFailure == null;
  }

  /** The algorithm a float allreduce of {@code length} floats takes now. */
  public CommAlgorithm algorithmFor(int length) {
    return switch (algorithm) {
      case AUTO -> sharedMemoryAvailable() ? CommAlgorithm.SHM
          : hostSharedMemoryAvailable() ? CommAlgorithm.SHM_PROCESS
          : length >= RING_MIN_FLOATS ? CommAlgorithm.RING : CommAlgorithm.MPJ;
      default -> algorithm;
    };
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public void allreduceSum(float[] buf, int offset, int length) {
    checkRange(buf.length, offset, length);
    if (length == 0 || size == 1) {
      return; // every rank passes the same length, so every rank skips
    }
    switch (resolvedAlgorithmFor(length)) {
      case SHM -> {
        SharedMemoryGroup.Member m = shm();
        long deadline = backstopDeadline();
        run("allreduce", () -> m.allreduceSum(buf, offset, length, deadline));
        return;
      }
      case SHM_PROCESS -> {
        SegmentCollectives s = segment;
        long deadline = backstopDeadline();
        run("allreduce", () -> s.allreduceSum(buf, offset, length, deadline));
        return;
      }
      case RING -> {
        RingAllreduce r = ring();
        run("allreduce", () -> r.allreduceSum(buf, offset, length));
        return;
      }
      default -> { } // MPJ's built-in, below
    }
    if (offset == 0) {
      run("allreduce", () -> MPI.COMM_WORLD.Allreduce(buf, 0, buf, 0, length, MPI.FLOAT, MPI.SUM));
      return;
    }
    float[] tmp = scratch(length);
    System.arraycopy(buf, offset, tmp, 0, length);
    run("allreduce", () -> MPI.COMM_WORLD.Allreduce(tmp, 0, tmp, 0, length, MPI.FLOAT, MPI.SUM));
    System.arraycopy(tmp, 0, buf, offset, length);
  }

  /** Direct buffers (the CPU backend's) go through shared memory without a copy; other paths copy via an array. */
  @Override
  public void allreduceSum(FloatBuffer buf, int offset, int length) {
    checkRange(buf.capacity(), offset, length);
    if (length == 0 || size == 1) {
      return;
    }
    CommAlgorithm a = resolvedAlgorithmFor(length);
    if (a == CommAlgorithm.SHM) {
      SharedMemoryGroup.Member m = shm();
      long deadline = backstopDeadline();
      run("allreduce", () -> m.allreduceSum(buf, offset, length, deadline));
      return;
    }
    if (a == CommAlgorithm.SHM_PROCESS) {
      SegmentCollectives s = segment;
      long deadline = backstopDeadline();
      run("allreduce", () -> s.allreduceSum(buf, offset, length, deadline));
      return;
    }
    float[] tmp = scratch(length);
    buf.get(offset, tmp, 0, length);
    allreduceSum(tmp, 0, length);
    buf.put(offset, tmp, 0, length);
  }

  /**
   * Compressed: the ring algorithm (ranks on other hosts, or comm.algorithm ring) sends 16-bit values ({@link
   * CompressedAllreduce}); the shared-memory algorithms and an explicit mpj round around their float32 sum (the
   * interface's default): shm and shm_process sum in rank order, so they give the ring's bits.
   */
  @Override
  public void allreduceSum(float[] buf, int offset, int length, Compression compression) {
    checkRange(buf.length, offset, length);
    if (compression == Compression.NONE || length == 0 || size == 1 || !transfersCompressed(length)) {
      Communicator.super.allreduceSum(buf, offset, length, compression);
      return;
    }
    float scale = agreedScale(compression, compression.scaled() ? Compression.maxAbs(buf, offset, length) : 0);
    CompressedAllreduce c = compressed();
    run("allreduce", () -> c.allreduceSum(buf, offset, length, compression, scale));
  }

  /**
   * Whether a compressed allreduce of {@code length} floats sends 16-bit values: wherever the ring would run, and for
   * auto's small messages too (MPJ's tree sums in another order than rank order; only an explicit mpj keeps it).
   */
  private boolean transfersCompressed(int length) {
    CommAlgorithm a = resolvedAlgorithmFor(length);
    return a == CommAlgorithm.RING || (a == CommAlgorithm.MPJ && algorithm == CommAlgorithm.AUTO);
  }

  @Override
  public void allreduceSum(FloatBuffer buf, int offset, int length, Compression compression) {
    checkRange(buf.capacity(), offset, length);
    if (compression == Compression.NONE || length == 0 || size == 1 || !transfersCompressed(length)) {
      Communicator.super.allreduceSum(buf, offset, length, compression);
      return;
    }
    float[] tmp = scratch(length);
    buf.get(offset, tmp, 0, length);
    allreduceSum(tmp, 0, length, compression);
    buf.put(offset, tmp, 0, length);
  }

  @Override
  public void allreduceSum(double[] buf) {
    if (buf.length == 0) {
      return;
    }
    run("allreduce", () -> MPI.COMM_WORLD.Allreduce(buf, 0, buf, 0, buf.length, MPI.DOUBLE, MPI.SUM));
  }

  @Override
  public void allreduceSum(long[] buf) {
    if (buf.length == 0) {
      return;
    }
    run("allreduce", () -> MPI.COMM_WORLD.Allreduce(buf, 0, buf, 0, buf.length, MPI.LONG, MPI.SUM));
  }

  @Override
  public void broadcast(float[] buf, int offset, int length, int root) {
    checkRange(buf.length, offset, length);
    if (root < 0 || root >= size) {
      throw new IllegalArgumentException("broadcast root " + root + " is not a rank of " + size);
    }
    if (length == 0 || size == 1) {
      return;
    }
    if (algorithm != CommAlgorithm.MPJ && sharedMemoryAvailable()) {
      SharedMemoryGroup.Member m = shm();
      long deadline = backstopDeadline();
      run("broadcast", () -> m.broadcast(buf, offset, length, root, deadline));
      return;
    }
    if ((algorithm == CommAlgorithm.AUTO || algorithm == CommAlgorithm.SHM_PROCESS) && hostSharedMemoryAvailable()
        && segment() != null) {
      SegmentCollectives s = segment;
      long deadline = backstopDeadline();
      run("broadcast", () -> s.broadcast(buf, offset, length, root, deadline));
      return;
    }
    if (offset == 0) {
      run("broadcast", () -> MPI.COMM_WORLD.Bcast(buf, 0, length, MPI.FLOAT, root));
      return;
    }
    float[] tmp = scratch(length);
    if (rank == root) {
      System.arraycopy(buf, offset, tmp, 0, length);
    }
    run("broadcast", () -> MPI.COMM_WORLD.Bcast(tmp, 0, length, MPI.FLOAT, root));
    System.arraycopy(tmp, 0, buf, offset, length);
  }

  @Override
  public double[] allgather(double value) {
    one[0] = value;
    double[] all = new double[size];
    run("allgather", () -> MPI.COMM_WORLD.Allgather(one, 0, 1, MPI.DOUBLE, all, 0, 1, MPI.DOUBLE));
    return all;
  }

  @Override
  public void barrier() {
    run("barrier", MPI.COMM_WORLD::Barrier);
  }

  @Override
  public PointToPoint pointToPoint() {
    return new MpjPointToPoint(rank, size, timeoutSeconds());
  }

  /** Collective: ends MPJ for this rank (waits for every rank), under the same deadline, then closes. */
  public void finalizeMpi() {
    run("MPI.Finalize", MPI::Finalize);
    close();
  }

  @Override
  public void close() {
    watchdog.close();
    progress.close();
    if (shm != null) {
      shm.close();
      shm = null;
    }
  }

  private SharedMemoryGroup.Member shm() {
    if (shm == null) {
      // One multicore (or single-host hybdev) JVM runs one job: its ranks meet under one key.
      shm = SharedMemoryGroup.join("lockstep-multicore-world", size, rank);
    }
    return shm;
  }

  /**
   * {@link #algorithmFor}, having set up shm_process's segment where it is chosen; when that setup fails (on any
   * rank: every rank learns it), auto falls back to ring/mpj and an explicit shm_process throws.
   */
  private CommAlgorithm resolvedAlgorithmFor(int length) {
    CommAlgorithm a = algorithmFor(length);
    if (a == CommAlgorithm.SHM_PROCESS && segment() == null) {
      if (algorithm == CommAlgorithm.SHM_PROCESS) {
        throw new CommException("rank " + rank + ": comm.algorithm shm_process: " + segmentFailure, null);
      }
      a = algorithmFor(length);
    }
    return a;
  }

  /**
   * Collective on first call: rank 0 creates and maps a segment file under /dev/shm and sends its name and a nonce,
   * the others map it and check the nonce, all agree whether everyone succeeded, then rank 0 unlinks the file (the
   * mappings stay; nothing is left behind). Null, with {@link #segmentFailure} set on every rank, if any rank failed.
   */
  private SegmentCollectives segment() {
    if (segment != null || segmentFailure != null) {
      return segment;
    }
    int regionFloats = SegmentCollectives.regionFloatsFor(size, SEGMENT_PIECE_FLOATS);
    ByteBuffer message = ByteBuffer.allocate(SEGMENT_MESSAGE_BYTES); // nonce, name length, name
    SharedSegment seg = null;
    String why = null;
    if (rank == 0) {
      long nonce = new SecureRandom().nextLong();
      Path file = SEGMENT_DIR.resolve("lockstep-" + ProcessHandle.current().pid() + "-" + Long.toHexString(nonce));
      try {
        seg = SharedSegment.create(file, size, regionFloats, nonce);
        byte[] name = file.toString().getBytes(StandardCharsets.UTF_8);
        message.putLong(nonce).putShort((short) name.length).put(name);
      } catch (IOException | RuntimeException e) {
        why = "rank 0 could not create a segment in " + SEGMENT_DIR + ": " + e;
      }
    }
    byte[] bytes = message.array();
    runUncounted("shared-memory setup", () -> MPI.COMM_WORLD.Bcast(bytes, 0, bytes.length, MPI.BYTE, 0));
    ByteBuffer got = ByteBuffer.wrap(bytes);
    long nonce = got.getLong();
    int nameLength = got.getShort();
    if (rank != 0) {
      if (nameLength == 0) {
        why = "rank 0 could not create a segment in " + SEGMENT_DIR;
      } else {
        Path file = Path.of(new String(bytes, 10, nameLength, StandardCharsets.UTF_8));
        try {
          seg = SharedSegment.open(file, size, rank, regionFloats, nonce);
        } catch (IOException | RuntimeException e) {
          why = "rank " + rank + " could not map " + file + ": " + e;
        }
      }
    }
    long[] failed = {why == null ? 0 : 1};
    runUncounted("shared-memory setup", () -> MPI.COMM_WORLD.Allreduce(failed, 0, failed, 0, 1, MPI.LONG, MPI.SUM));
    if (rank == 0 && seg != null) {
      try {
        seg.unlink();
      } catch (IOException e) {
        System.err.println("lockstep: rank 0: could not remove " + seg.file() + ": " + e);
      }
    }
    if (failed[0] > 0) {
      segmentFailure = why != null ? why : failed[0] + " rank(s) could not map the shared-memory segment";
      if (rank == 0 && algorithm == CommAlgorithm.AUTO) {
        System.err.println("lockstep: shared memory between this host's ranks is unavailable (" + segmentFailure
            + "); using ring/mpj");
      }
      return null;
    }
    segment = new SegmentCollectives(seg);
    return segment;
  }

  /**
   * Collective: whether every rank's {@link HostKey} equals rank 0's. Keys travel as 64-bit hashes; a rank whose key
   * is unknown (no /proc) counts as elsewhere.
   */
  private boolean allOnThisHost() {
    String key = HostKey.ofThisProcess();
    long[] root = {key == null ? 0 : 1, key == null ? 0 : hash(key)}; // rank 0's: known?, hash
    runUncounted("host check", () -> MPI.COMM_WORLD.Bcast(root, 0, 2, MPI.LONG, 0));
    long[] elsewhere = {key != null && root[0] == 1 && root[1] == hash(key) ? 0 : 1};
    runUncounted("host check", () -> MPI.COMM_WORLD.Allreduce(elsewhere, 0, elsewhere, 0, 1, MPI.LONG, MPI.SUM));
    return elsewhere[0] == 0;
  }

  private static long hash(String key) {
    try {
      return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)))
          .getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private CompressedAllreduce compressed() {
    if (compressed == null) {
      compressed = new CompressedAllreduce(rank, size);
    }
    return compressed;
  }

  private RingAllreduce ring() {
    if (ring == null) {
      ring = new RingAllreduce(rank, size);
    }
    return ring;
  }

  /**
   * The shared-memory barriers' own deadline, well after the watchdog's: the watchdog ends the job with the usual
   * message first; this only guarantees that a rank thread never waits forever if the watchdog is gone.
   */
  private long backstopDeadline() {
    return System.nanoTime() + (long) (2 * watchdog.timeoutSeconds() * 1e9) + 5_000_000_000L;
  }

  private interface MpjCall {
    void run() throws MPIException;
  }

  private void run(String op, MpjCall call) {
    watchdog.arm(op, progress.enterCollective());
    runArmed(watchdog, rank, op, call);
  }

  /** An MPJ call under the deadline that is not one of the application's collectives (not counted in progress). */
  private void runUncounted(String op, MpjCall call) {
    watchdog.arm(op);
    runArmed(watchdog, rank, op, call);
  }

  /** Runs {@code call} under the deadline {@code watchdog} was just armed with, and disarms it. */
  private static void runArmed(DeadlineWatchdog watchdog, int rank, String op, MpjCall call) {
    try {
      call.run();
    } catch (MPIException e) {
      throw new CommException("rank " + rank + ": " + op + " failed: " + e.getMessage(), e);
    } finally {
      watchdog.disarm();
    }
  }

  private float[] scratch(int length) {
    if (scratch.length < length) {
      scratch = new float[length];
    }
    return scratch;
  }

  private static void checkRange(int capacity, int offset, int length) {
    if (offset < 0 || length < 0 || offset > capacity - length) {
      throw new IndexOutOfBoundsException(
          "range [" + offset + ", " + offset + "+" + length + ") outside a buffer of " + capacity);
    }
  }

  /** MPJ's blocking Send/Recv and Iprobe on COMM_WORLD, with a watchdog of its own (one channel per thread). */
  private static final class MpjPointToPoint implements PointToPoint {
    private final int rank;
    private final int size;
    private final DeadlineWatchdog watchdog;

    MpjPointToPoint(int rank, int size, double timeoutSeconds) {
      this.rank = rank;
      this.size = size;
      this.watchdog = new DeadlineWatchdog("lockstep-p2p-deadline-rank-" + rank, timeoutSeconds,
          new HaltOnExpiry(rank, null));
    }

    @Override
    public void send(float[] buf, int length, int dest, int tag) {
      checkRange(buf.length, 0, length);
      checkPeer(dest, false);
      call("send to rank " + dest, () -> MPI.COMM_WORLD.Send(buf, 0, length, MPI.FLOAT, dest, tag));
    }

    @Override
    public Pending sendAsync(float[] buf, int length, int dest, int tag) {
      checkRange(buf.length, 0, length);
      checkPeer(dest, false);
      mpi.Request[] request = new mpi.Request[1];
      call("send to rank " + dest, () -> request[0] = MPI.COMM_WORLD.Isend(buf, 0, length, MPI.FLOAT, dest, tag));
      return () -> call("send to rank " + dest, () -> request[0].Wait());
    }

    @Override
    public int recv(float[] buf, int length, int source, int tag) {
      checkRange(buf.length, 0, length);
      checkPeer(source, true);
      int from = source == ANY_SOURCE ? MPI.ANY_SOURCE : source;
      mpi.Status[] status = new mpi.Status[1];
      call(source == ANY_SOURCE ? "receive" : "receive from rank " + source,
          () -> status[0] = MPI.COMM_WORLD.Recv(buf, 0, length, MPI.FLOAT, from, tag));
      return status[0].source;
    }

    @Override
    public int probe(int source, int tag) {
      checkPeer(source, true);
      int from = source == ANY_SOURCE ? MPI.ANY_SOURCE : source;
      mpi.Status[] status = new mpi.Status[1];
      call("probe", () -> status[0] = MPI.COMM_WORLD.Iprobe(from, tag));
      return status[0] == null ? -1 : status[0].source;
    }

    @Override
    public void close() {
      watchdog.close();
    }

    private void checkPeer(int peer, boolean anyAllowed) {
      if (!(peer >= 0 && peer < size) && !(anyAllowed && peer == ANY_SOURCE)) {
        throw new IllegalArgumentException("rank " + peer + " is not a rank of " + size);
      }
    }

    private void call(String op, MpjCall c) {
      watchdog.arm(op);
      runArmed(watchdog, rank, op, c);
    }
  }

  /**
   * Production expiry: one line naming this rank, the call, its step and the ranks that have not reached the call
   * (when {@code progress} can tell), then the whole JVM ends with exit code 3.
   */
  private record HaltOnExpiry(int rank, Progress progress) implements DeadlineWatchdog.Expiry {
    @Override
    public void stallWarning(String op, long seq, double waitedSeconds, double timeoutSeconds) {
      String late = seq == 0 || progress == null ? "" : lateRanks(seq, false);
      System.err.printf(Locale.ROOT, "lockstep: rank %d: %s waiting %ss%s (deadline %ss)%n",
          rank, call(op, seq), formatSeconds(waitedSeconds), late, formatSeconds(timeoutSeconds));
    }

    @Override
    public void expired(String op, long seq, double timeoutSeconds) {
      PrintStream err = System.err;
      String why = seq == 0 || progress == null ? " (a peer rank died or stalled)" : lateRanks(seq, true);
      err.printf(Locale.ROOT, "lockstep: rank %d: %s did not complete within %ss%s%n",
          rank, call(op, seq), formatSeconds(timeoutSeconds), why);
      err.flush();
      System.out.flush();
      Runtime.getRuntime().halt(3); // DESIGN §7: 3 = a rank failed
    }

    /** "allreduce #57 (step 5)": which call, counted on this rank, and this rank's training step. */
    private String call(String op, long seq) {
      long step = progress == null ? 0 : progress.step();
      return op + (seq > 0 ? " #" + seq : "") + (step > 0 ? " (step " + step + ")" : "");
    }

    /** Who this rank waits for: " for ranks 2, 3", with their steps at the deadline. */
    private String lateRanks(long seq, boolean last) {
      if (progress.unknownWhy() != null) {
        String unknown = "which ones is unknown: " + progress.unknownWhy() + ")";
        return last ? " (a peer rank died or stalled; " + unknown : " for its peers (" + unknown;
      }
      List<Integer> late = progress.notArrivedAt(seq);
      if (late.isEmpty()) {
        return last ? " (every rank reached it: one died or stalled inside it)"
            : " (every rank has reached it; still transferring)";
      }
      StringBuilder names = new StringBuilder(late.size() == 1 ? "rank " : "ranks ");
      for (int i = 0; i < late.size(); i++) {
        int r = late.get(i);
        names.append(i == 0 ? "" : ", ").append(r);
        long step = progress.stepOf(r);
        if (last && step > 0) {
          names.append(" (at step ").append(step).append(')');
        }
      }
      return last ? "; " + names + " never arrived (died or stalled)" : " for " + names;
    }

    /** 30 → "30", 0.65 → "0.7": tenths at most (the warning periods are computed, e.g. half a deadline). */
    private static String formatSeconds(double s) {
      double tenths = Math.rint(s * 10) / 10;
      return tenths == Math.rint(tenths) ? String.valueOf((long) tenths) : String.valueOf(tenths);
    }
  }
}
