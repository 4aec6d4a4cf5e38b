package dev.lockstep.update;

import dev.lockstep.checkpointing.GradientListener;
import dev.lockstep.comm.CommThread;
import dev.lockstep.comm.Communicator;
import dev.lockstep.comm.Compression;
import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Parameters;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.DeviceAllreduce;
import dev.lockstep.tensor.HostBuf;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Synchronous data parallelism: SUM-allreduce of the flat gradient buffer, then the identical optimizer step on
 * every rank. The loss uses gradScale = 1/global batch, so the summed gradient is the global-batch mean.
 *
 * <p><b>Overlap</b> ({@code comm.bucket_mb > 0}, np > 1): the gradients are allreduced in buckets ({@link
 * BucketPlan}); the step executor reports each layer's finished gradient range ({@link #gradientListener()}), and
 * once a bucket is complete it is handed to a per-rank {@link CommThread} while backward continues. {@link #apply}
 * then waits for the outstanding buckets, reduces the last one (complete only when backward ends) on the rank
 * thread — together the communication not hidden behind backward — and steps the optimizer.
 * Buckets are started strictly in plan order, so every rank issues the same collectives in the same order.
 * With {@code bucket_mb: 0} one allreduce of the whole buffer runs on the rank thread after backward.
 *
 * <p><b>Memory</b>: gradients in host memory ({@link HostBuf}, the CPU backend) are reduced in place, no copy. Other
 * backends (CUDA) go through a host staging array: a bucket is downloaded on the rank thread when it completes (the
 * download waits for the device to finish that layer), allreduced on the comm thread, and the whole staging array
 * is uploaded once in {@link #apply}. A single rank skips all of it: its gradient is the sum, and stays where it is.
 *
 * <p>The step's small figures go in a separate small allreduce after the gradients — [loss sum, correct, rows, stop |
 * compute seconds of rank 0..N-1]. Each rank writes its compute time in its own slot; after the SUM every rank
 * knows them all, and its wait is (slowest compute − own compute). Reduction order is fixed per element, so the
 * result — and the weights — do not depend on the bucketing (shm, and any algorithm at np = 2).
 *
 * <p><b>Compression</b> ({@code comm.compression} bf16 | fp16): every gradient allreduce (each bucket, or the whole
 * buffer) goes through {@link Communicator#allreduceSum(FloatBuffer, int, int, Compression)}: 16-bit payloads, a
 * float32 sum, the same bits on every rank; fp16 agrees on a per-bucket scale first. The small figures stay float32.
 *
 * <p>A NaN/Inf in the averaged gradient or the summed loss leaves weights and optimizer untouched and says where
 * ({@link StepStats#nonFiniteAt}). The check runs after the allreduce, on data every rank holds bit for bit, so
 * every rank takes the same decision without another collective.
 */
public final class SyncUpdate implements UpdateStrategy {
  private static final int LOSS = 0, CORRECT = 1, ROWS = 2, STOP = 3, COMPUTE = 4;

  private final Communicator comm;
  private final Backend backend;
  private final Parameters params;
  private final Optimizer optimizer;
  private final int gradLength;
  private final Compression compression;
  private final float[] figures; // [4 + ranks]
  private final float[] staging; // [gradLength] host copy of the gradients; null when they are host memory
  private final FloatBuffer hostGrads; // the gradient memory itself when host memory, else null
  private final DeviceAllreduce deviceReduce; // NCCL on the GPUs, or null

  // Overlap (null/unused when bucket_mb = 0 or a single rank)
  private final BucketPlan plan;
  private final Buf[] bucketGrads; // per bucket: view of the gradient buffer
  private final int[] unreported; // per bucket: layer ranges not yet reported this step
  private int nextToStart; // buckets [0, nextToStart) were handed to the comm thread this step
  private final CommThread commThread;

  /** Without overlap: one allreduce of all gradients after backward. */
  public SyncUpdate(Communicator comm, Backend backend, Parameters params, Optimizer optimizer) {
    this(comm, backend, params, optimizer, 0);
  }

  /**
   * @param bucketBytes cap of a gradient bucket ({@code comm.bucket_mb}); 0 = no overlap. Call from the rank's own
   *     thread: with overlap this starts the rank's communication thread, which must belong to the rank.
   */
  public SyncUpdate(Communicator comm, Backend backend, Parameters params, Optimizer optimizer, long bucketBytes) {
    this(comm, backend, params, optimizer, bucketBytes, Compression.NONE);
  }

  /** With the gradient allreduce's payload in {@code compression}'s format ({@code comm.compression}). */
  public SyncUpdate(Communicator comm, Backend backend, Parameters params, Optimizer optimizer, long bucketBytes,
                    Compression compression) {
    this(comm, backend, params, optimizer, bucketBytes, true, compression, null);
  }

  /**
   * The gradients reduced on the GPUs by {@code deviceReduce} (NCCL), one allreduce on the backend's stream after
   * backward, never through host memory; the step's figures still go through the host communicator.
   */
  public SyncUpdate(Communicator comm, Backend backend, Parameters params, Optimizer optimizer,
                    DeviceAllreduce deviceReduce) {
    this(comm, backend, params, optimizer, 0, true, Compression.NONE, deviceReduce);
  }

  /** {@code inPlace = false} forces the staging path even for host memory (tests of the CUDA path on the CPU). */
  SyncUpdate(Communicator comm, Backend backend, Parameters params, Optimizer optimizer, long bucketBytes,
      boolean inPlace) {
    this(comm, backend, params, optimizer, bucketBytes, inPlace, Compression.NONE, null);
  }

  private SyncUpdate(Communicator comm, Backend backend, Parameters params, Optimizer optimizer, long bucketBytes,
      boolean inPlace, Compression compression, DeviceAllreduce deviceReduce) {
    if (bucketBytes < 0) {
      throw new IllegalArgumentException("comm.bucket_mb must be >= 0, got " + bucketBytes + " bytes");
    }
    this.comm = comm;
    this.backend = backend;
    this.params = params;
    this.optimizer = optimizer;
    this.gradLength = Math.toIntExact(params.length());
    this.compression = compression;
    this.figures = new float[COMPUTE + comm.size()];
    this.deviceReduce = deviceReduce;
    this.hostGrads = inPlace && params.grads() instanceof HostBuf h ? h.floats() : null;
    this.staging = hostGrads == null && deviceReduce == null ? new float[gradLength] : null;
    boolean overlap = bucketBytes > 0 && comm.size() > 1;
    this.plan = overlap ? new BucketPlan(params.layerRanges(), bucketBytes) : null;
    int n = overlap ? plan.buckets().size() : 0;
    this.bucketGrads = new Buf[n];
    this.unreported = new int[n];
    for (int b = 0; b < n; b++) {
      BucketPlan.Bucket bucket = plan.buckets().get(b);
      bucketGrads[b] = params.grads().view(bucket.offset(), bucket.length());
    }
    resetStep();
    this.commThread = overlap ? new CommThread("lockstep-comm-rank-" + comm.rank()) : null;
  }

  /** The bucket plan (null without overlap). */
  public BucketPlan plan() {
    return plan;
  }

  @Override
  public void initialize() {
    ReplicaCheck.requireSameParameterCount(comm, gradLength);
    float[] weights = new float[gradLength];
    backend.download(params.params(), weights, 0);
    comm.broadcast(weights, 0, weights.length, 0);
    backend.upload(weights, 0, params.params());
  }

  @Override
  public GradientListener gradientListener() {
    return plan == null ? null : this::gradientReady;
  }

  /** Rank thread, during backward: counts the range into its bucket and starts every complete bucket in order. */
  private void gradientReady(LayerRange range) {
    int b = plan.bucketOf(range.layerIndex());
    if (unreported[b] == 0) {
      throw new IllegalStateException("gradient of " + range.name() + " reported twice in one step");
    }
    unreported[b]--;
    startCompleteBuckets();
  }

  /**
   * Hands complete buckets to the comm thread, in plan order — all but the last: that one completes when backward
   * ends, and {@link #apply} reduces it on the rank thread, saving two thread hand-offs per step.
   */
  private void startCompleteBuckets() {
    while (nextToStart < unreported.length - 1 && unreported[nextToStart] == 0) {
      Runnable allreduce = bucketAllreduce(nextToStart++);
      commThread.submit(allreduce);
    }
  }

  /** The allreduce of bucket {@code b}; with staging, downloads it first (waiting for the device to finish it). */
  private Runnable bucketAllreduce(int b) {
    BucketPlan.Bucket bucket = plan.buckets().get(b);
    int offset = bucket.offset(), length = bucket.length();
    if (hostGrads != null) {
      return () -> comm.allreduceSum(hostGrads, offset, length, compression);
    }
    backend.download(bucketGrads[b], staging, offset);
    return () -> comm.allreduceSum(staging, offset, length, compression);
  }

  @Override
  public StepStats apply(StepReport local, float lr) {
    long t0 = System.nanoTime();
    Arrays.fill(figures, 0f);
    figures[LOSS] = (float) local.lossSum();
    figures[CORRECT] = local.correct();
    figures[ROWS] = local.rows();
    figures[STOP] = local.stopRequested() ? 1 : 0; // rides along: an interruption costs no extra collective
    figures[COMPUTE + comm.rank()] = (float) local.computeSeconds();
    if (plan != null) {
      // The comm thread finishes what it was given; then this thread reduces the rest in plan order: the last
      // bucket, and any the listener did not start (none connected, or a layer never reported).
      commThread.awaitIdle();
      while (nextToStart < unreported.length) {
        bucketAllreduce(nextToStart++).run();
      }
      comm.allreduceSum(figures, 0, figures.length);
      resetStep();
    } else if (comm.size() == 1) {
      // One rank: its gradient is the sum already; device gradients stay on the device (no staging round trip).
    } else if (deviceReduce != null) {
      deviceReduce.sumInPlace(params.grads()); // enqueued after backward; the optimizer's kernels follow it
      comm.allreduceSum(figures, 0, figures.length);
    } else {
      if (hostGrads != null) {
        comm.allreduceSum(hostGrads, 0, gradLength, compression);
      } else {
        backend.download(params.grads(), staging, 0);
        comm.allreduceSum(staging, 0, gradLength, compression);
      }
      comm.allreduceSum(figures, 0, figures.length);
    }
    if (hostGrads == null && deviceReduce == null && comm.size() > 1) {
      backend.upload(staging, 0, params.grads());
    }
    long inCollective = System.nanoTime() - t0; // with overlap: only what backward did not hide

    long nonFiniteAt = firstNonFinite();
    if (nonFiniteAt < 0) {
      optimizer.step(backend, params.params(), params.grads(), lr);
    }

    double[] compute = new double[comm.size()];
    double slowest = 0;
    for (int r = 0; r < compute.length; r++) {
      compute[r] = figures[COMPUTE + r];
      slowest = Math.max(slowest, compute[r]);
    }
    // Time in the collective = waiting for the slowest rank to arrive + the transfer itself.
    double wait = Math.min(inCollective / 1e9, Math.max(0, slowest - local.computeSeconds()));
    return new StepStats(figures[LOSS], Math.round(figures[CORRECT]), Math.round(figures[ROWS]), compute,
        inCollective / 1e9 - wait, wait, nonFiniteAt, Math.round(figures[STOP]));
  }

  /**
   * Index of the first NaN/Inf in the averaged gradient, the gradient length when only the loss is non-finite, or
   * -1. The common case is one scan by the backend; only a bad step copies the gradient to find where.
   */
  private long firstNonFinite() {
    if (backend.allFinite(params.grads())) {
      return Float.isFinite(figures[LOSS]) ? -1 : gradLength;
    }
    float[] values = staging != null ? staging : new float[gradLength];
    backend.download(params.grads(), values, 0);
    for (int i = 0; i < gradLength; i++) {
      if (!Float.isFinite(values[i])) {
        return i;
      }
    }
    return gradLength;
  }

  /** Seconds this rank's communication thread has spent in collectives (0 without overlap). */
  public double backgroundCommSeconds() {
    return commThread == null ? 0 : commThread.busySeconds();
  }

  @Override
  public void close() {
    if (commThread != null) {
      commThread.close();
    }
    if (deviceReduce != null) {
      deviceReduce.close();
    }
  }

  private void resetStep() {
    List<BucketPlan.Bucket> buckets = plan == null ? List.of() : plan.buckets();
    for (int b = 0; b < buckets.size(); b++) {
      unreported[b] = buckets.get(b).layers();
    }
    nextToStart = 0;
  }
}
