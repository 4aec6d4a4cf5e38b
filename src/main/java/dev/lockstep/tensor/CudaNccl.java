package dev.lockstep.tensor;

import java.util.Optional;
import org.bytedeco.cuda.global.nccl;
import org.bytedeco.cuda.nccl.ncclComm;
import org.bytedeco.cuda.nccl.ncclUniqueId;
import org.bytedeco.javacpp.Loader;

/**
 * NCCL from JavaCPP's CUDA presets: one communicator per rank over the ranks' GPUs, SUM-allreduce of float
 * buffers on the rank's {@link CudaBackend} stream. The presets bring the JNI binding; libnccl.so.2 itself must be
 * on the machine ({@link #unavailableReason} says when it is not). Setup: rank 0 makes a {@link #uniqueId}, every
 * rank receives it (the caller broadcasts it over MPJ) and calls {@link #join} at the same time (it blocks until
 * all ranks have joined).
 */
public final class CudaNccl implements DeviceAllreduce {
  /** Bytes of an ncclUniqueId. */
  public static final int ID_BYTES = 128;
  private static volatile Optional<String> unavailable;

  private final CudaBackend be;
  private final int ranks;
  private ncclComm comm;

  private CudaNccl(CudaBackend be, int ranks, ncclComm comm) {
    this.be = be;
    this.ranks = ranks;
    this.comm = comm;
  }

  /** Why NCCL cannot be used in this process (no CUDA, libnccl missing), or empty. Never throws; cached. */
  public static Optional<String> unavailableReason() {
    Optional<String> u = unavailable;
    if (u == null) {
      Optional<String> cuda = CudaBackend.unavailableReason();
      if (cuda.isPresent()) {
        u = cuda;
      } else {
        try {
          Loader.load(nccl.class);
          int[] version = new int[1];
          u = nccl.ncclGetVersion(version) == 0 ? Optional.empty()
              : Optional.of("ncclGetVersion failed");
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
          u = Optional.of("cannot load libnccl (" + e.getMessage() + ")");
        }
      }
      unavailable = u;
    }
    return u;
  }

  /** A fresh NCCL unique id (rank 0), to hand to every rank's {@link #join}. */
  public static byte[] uniqueId() {
    ncclUniqueId id = new ncclUniqueId();
    check(nccl.ncclGetUniqueId(id), "ncclGetUniqueId");
    byte[] bytes = new byte[ID_BYTES];
    id.internal().get(bytes);
    return bytes;
  }

  /** This rank's communicator; blocks until all {@code ranks} joined with the same id. */
  public static CudaNccl join(Backend backend, int rank, int ranks, byte[] id) {
    if (!(backend instanceof CudaBackend be)) {
      throw new IllegalArgumentException("nccl needs the cuda backend, got " + backend.name());
    }
    be.stream(); // makes the rank's device current on this thread
    ncclUniqueId uid = new ncclUniqueId();
    uid.internal().put(id, 0, ID_BYTES);
    ncclComm comm = new ncclComm();
    check(nccl.ncclCommInitRank(comm, ranks, uid, rank), "ncclCommInitRank(rank " + rank + " of " + ranks + ")");
    return new CudaNccl(be, ranks, comm);
  }

  @Override
  public void sumInPlace(Buf buf) {
    CudaBuf b = be.own("nccl allreduce", buf, buf.length());
    if (comm == null) {
      throw new IllegalStateException("nccl communicator is closed");
    }
    if (b.length() == 0) {
      return;
    }
    CudaPointer p = new CudaPointer(b.address());
    check(nccl.ncclAllReduce(p, p, b.length(), nccl.ncclFloat, nccl.ncclSum, comm, be.stream()),
        "ncclAllReduce(" + b.length() + " floats)");
  }

  @Override
  public String describe() {
    int[] v = new int[1];
    nccl.ncclGetVersion(v);
    return String.format("nccl %d.%d.%d over %d GPUs", v[0] / 10000, v[0] / 100 % 100, v[0] % 100, ranks);
  }

  @Override
  public void close() {
    if (comm != null) {
      ncclComm c = comm;
      comm = null;
      check(nccl.ncclCommDestroy(c), "ncclCommDestroy");
    }
  }

  private static void check(int rc, String call) {
    if (rc != 0) {
      throw new CudaException(call + " failed: " + nccl.ncclGetErrorString(rc).getString() + " (" + rc + ")");
    }
  }
}
