package dev.lockstep.tensor;

import static dev.lockstep.tensor.CudaErrors.cublas;
import static dev.lockstep.tensor.CudaErrors.cuda;

import dev.lockstep.tensor.CudaKernels.Name;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The GPU backend: GEMM through cuBLAS, everything else through NVRTC-compiled kernels ({@link CudaKernels})
 * launched with the driver API, all on one stream of the backend, through JavaCPP's CUDA presets.
 *
 * <p>One instance per rank, used by one thread at a time; if a different thread picks it up, the first call
 * makes the device current there. Operations are asynchronous except those that return a host value
 * ({@link #download}, {@link #sumOfSquares}, {@link #allFinite}) and {@link #upload}, which wait for the
 * stream (uploads go through a pinned staging buffer that is reused at once).
 *
 * <p>Row-major GEMM runs on column-major cuBLAS as C^T = op(B)^T · op(A)^T. Reductions accumulate in double
 * on the device, in a fixed order (deterministic). Device memory is freed when the backend is {@link #close
 * closed}; buffers and views of a closed backend must not be used.
 */
public final class CudaBackend implements Backend {
  /** Pinned staging size cap: uploads/downloads larger than this go in chunks. */
  static final long DEFAULT_STAGING_FLOATS = 16L << 20; // 64 MiB
  /** A fixed cuBLAS workspace, so that cuBLAS never allocates: required inside CUDA graph capture. */
  private static final long CUBLAS_WORKSPACE_BYTES = 32L << 20;

  private final int device;
  private final boolean tf32;
  private final List<Pointer> allocations = new ArrayList<>(); // root device allocations, freed on close
  private final List<Pointer> pinned = new ArrayList<>(); // pinned host allocations, freed on close
  private final CudaLaunch launch = new CudaLaunch();
  private final FloatPointer alphaHost = new FloatPointer(1);
  private final FloatPointer betaHost = new FloatPointer(1);
  private final CudaStaging staging;

  private String deviceName = "?";
  private int maxBlocks; // grid cap of the grid-stride kernels
  private CUstream_st stream;
  private cublasContext cublasHandle;
  private Pointer cublasWorkspace;
  private CudaModuleCache.Kernels kernels;
  private Pointer resultHost; // pinned, 16 bytes: a reduction's double or allFinite's flag
  private Pointer flagDevice; // 16 bytes: allFinite's flag
  private Pointer scratch; // device doubles for reduction partials, grown on demand
  private long scratchBytes;
  private Thread boundThread;
  private boolean closed;
  private CudaSequences sequences;

  private CudaBackend(int device, boolean tf32, long stagingFloats) {
    this.device = device;
    this.tf32 = tf32;
    this.staging = new CudaStaging(stagingFloats);
  }

  /**
   * A backend on {@code device} with its own stream and cuBLAS handle; {@code tf32} lets cuBLAS use TF32
   * tensor cores for GEMM (about 10 mantissa bits per product). Throws {@link IllegalStateException} with
   * {@link #unavailableReason()} when CUDA cannot be used here.
   */
  public static CudaBackend create(int device, boolean tf32) {
    return create(device, tf32, DEFAULT_STAGING_FLOATS);
  }

  static CudaBackend create(int device, boolean tf32, long stagingFloats) {
    CudaAvailability.Result availability = CudaAvailability.result();
    if (availability.unavailableReason().isPresent()) {
      throw new IllegalStateException(availability.unavailableReason().get());
    }
    if (device < 0 || device >= availability.deviceCount()) {
      throw new IllegalArgumentException("cuda device " + device + " does not exist (" + availability.deviceCount()
          + " visible)");
    }
    CudaBackend backend = new CudaBackend(device, tf32, stagingFloats);
    try {
      backend.init();
    } catch (RuntimeException | Error e) {
      try {
        backend.close();
      } catch (RuntimeException | LinkageError suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof LinkageError) { // cudart loaded but cuBLAS or NVRTC did not
        throw new IllegalStateException("CUDA unavailable: cannot load a CUDA library (" + e.getMessage() + ")", e);
      }
      throw e;
    }
    return backend;
  }

  /** Why CUDA cannot be used in this process (no driver, no device, ...), or empty when it can. Never throws. */
  public static Optional<String> unavailableReason() {
    return CudaAvailability.result().unavailableReason();
  }

  /** Visible CUDA devices; 0 when CUDA is unavailable (see {@link #unavailableReason()}). Never throws. */
  public static int deviceCount() {
    return CudaAvailability.result().deviceCount();
  }

  private void init() {
    cuda(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
    boundThread = Thread.currentThread();
    cudaDeviceProp props = new cudaDeviceProp();
    cuda(cudart.cudaGetDeviceProperties(props, device), "cudaGetDeviceProperties");
    deviceName = props.name().getString();
    maxBlocks = Math.max(1, props.multiProcessorCount()) * 32;

    CUstream_st s = new CUstream_st();
    cuda(cudart.cudaStreamCreateWithFlags(s, cudart.cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
    stream = s;

    cublasContext handle = new cublasContext();
    cublas(cublas.cublasCreate_v2(handle), "cublasCreate");
    cublasHandle = handle;
    cublas(cublas.cublasSetStream_v2(handle, stream), "cublasSetStream");
    cublas(cublas.cublasSetMathMode(handle, tf32 ? cublas.CUBLAS_TF32_TENSOR_OP_MATH : cublas.CUBLAS_DEFAULT_MATH),
        "cublasSetMathMode");
    cublasWorkspace = deviceMalloc(CUBLAS_WORKSPACE_BYTES, "cublas workspace");
    cublas(cublas.cublasSetWorkspace_v2(handle, cublasWorkspace, CUBLAS_WORKSPACE_BYTES), "cublasSetWorkspace");

    kernels = CudaModuleCache.forDevice(device);

    Pointer host = new Pointer();
    cuda(cudart.cudaMallocHost(host, 16), "cudaMallocHost(16 bytes)");
    resultHost = host;
    flagDevice = deviceMalloc(16, "allFinite flag");
  }

  @Override
  public String name() {
    return "cuda";
  }

  /** E.g. "cuda:0 NVIDIA H100 80GB HBM3 (tf32)", for logs. */
  public String describe() {
    return "cuda:" + device + " " + deviceName + (tf32 ? " (tf32)" : " (fp32)");
  }

  public int device() {
    return device;
  }

  public boolean tf32() {
    return tf32;
  }

  @Override
  public CudaBuf allocate(long length) {
    ready();
    if (length < 0) {
      throw new IllegalArgumentException("cuda buffer of " + length + " floats: length must be >= 0");
    }
    if (length == 0) {
      return new CudaBuf(this, 0, 0);
    }
    long bytes = length * Float.BYTES;
    Pointer p = deviceMalloc(bytes, "buffer of " + length + " floats");
    allocations.add(p);
    cuda(cudart.cudaMemsetAsync(p, 0, bytes, stream), "cudaMemsetAsync");
    return new CudaBuf(this, p.address(), length);
  }

  @Override
  public void upload(float[] src, int srcOffset, Buf dst) {
    CudaBuf d = buf(dst);
    long n = d.length();
    if (srcOffset < 0 || srcOffset > src.length - n) {
      throw new IndexOutOfBoundsException("upload of " + n + " floats from offset " + srcOffset + " of a float["
          + src.length + "]");
    }
    ready();
    for (long done = 0; done < n; ) {
      int chunk = (int) Math.min(n - done, staging.chunkFloats());
      staging.reserve(chunk).put(src, (int) (srcOffset + done), chunk);
      cuda(cudart.cudaMemcpyAsync(new CudaPointer(d.address() + done * Float.BYTES), staging.address(),
          (long) chunk * Float.BYTES, cudart.cudaMemcpyHostToDevice, stream), "cudaMemcpyAsync(upload)");
      syncStream("upload"); // the staging buffer is reused by the next chunk / call
      done += chunk;
    }
  }

  @Override
  public void download(Buf src, float[] dst, int dstOffset) {
    CudaBuf s = buf(src);
    long n = s.length();
    if (dstOffset < 0 || dstOffset > dst.length - n) {
      throw new IndexOutOfBoundsException("download of " + n + " floats to offset " + dstOffset + " of a float["
          + dst.length + "]");
    }
    ready();
    for (long done = 0; done < n; ) {
      int chunk = (int) Math.min(n - done, staging.chunkFloats());
      FloatPointer host = staging.reserve(chunk);
      cuda(cudart.cudaMemcpyAsync(staging.address(), new CudaPointer(s.address() + done * Float.BYTES),
          (long) chunk * Float.BYTES, cudart.cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync(download)");
      syncStream("download");
      host.get(dst, (int) (dstOffset + done), chunk);
      done += chunk;
    }
  }

  @Override
  public void copy(Buf src, Buf dst) {
    CudaBuf s = buf(src);
    CudaBuf d = buf(dst);
    sameLength("copy", s, d);
    ready();
    if (s.length() > 0) {
      cuda(cudart.cudaMemcpyAsync(new CudaPointer(d.address()), new CudaPointer(s.address()),
          s.length() * Float.BYTES, cudart.cudaMemcpyDeviceToDevice, stream), "cudaMemcpyAsync(copy)");
    }
  }

  @Override
  public void fill(Buf dst, float value) {
    CudaBuf d = buf(dst);
    ready();
    elementwise(Name.FILL, d.length(), launch.args().ptr(d.address()).f32(value).i64(d.length()));
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
                   float alpha, Buf a, Buf b, float beta, Buf c) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("gemm with negative size m=" + m + " n=" + n + " k=" + k);
    }
    CudaBuf ab = needs("gemm A", a, (long) m * k);
    CudaBuf bb = needs("gemm B", b, (long) k * n);
    CudaBuf cb = needs("gemm C", c, (long) m * n);
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) { // C = beta·C; cuBLAS would want ld >= 1 for an empty operand
      scale(cb.view(0, (long) m * n), beta);
      return;
    }
    ready();
    alphaHost.put(0, alpha);
    betaHost.put(0, beta);
    // Row-major C[m×n] is column-major C^T[n×m]: C^T = op(B)^T · op(A)^T, so B comes first.
    // A stored m×k (lda = k) or, transposed, k×m (lda = m); likewise B (ldb = n, or k when transposed).
    cublas(cublas.cublasSgemm_v2(cublasHandle,
        transB ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N, transA ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N,
        n, m, k, alphaHost, bb.floatPointer(), transB ? k : n, ab.floatPointer(), transA ? m : k,
        betaHost, cb.floatPointer(), n), "cublasSgemm(m=" + m + " n=" + n + " k=" + k + ")");
  }

  @Override
  public void addRowVector(Buf y, Buf bias, int rows, int cols) {
    CudaBuf yb = needs("addRowVector y", y, (long) rows * cols);
    CudaBuf bb = needs("addRowVector bias", bias, cols);
    long n = (long) rows * cols;
    if (n == 0) {
      return;
    }
    ready();
    elementwise(Name.ADD_ROW_VECTOR, n, launch.args().ptr(yb.address()).ptr(bb.address()).i64(n).i32(cols));
  }

  @Override
  public void sumRows(Buf x, Buf out, int rows, int cols, float beta) {
    CudaBuf xb = needs("sumRows x", x, (long) rows * cols);
    CudaBuf ob = needs("sumRows out", out, cols);
    if (cols == 0) {
      return;
    }
    ready();
    // Pass 1: partial[chunk, col] over chunks of rows (grid.y is limited to 65535 chunks).
    int rowsPerChunk = Math.max(CudaKernels.SUM_ROWS_CHUNK, (int) ((rows + 65534L) / 65535));
    int chunks = (int) ((rows + (long) rowsPerChunk - 1) / rowsPerChunk);
    long partial = scratch(Math.max(1L, (long) chunks * cols) * Double.BYTES);
    if (chunks > 0) {
      launch.args().ptr(xb.address()).ptr(partial).i32(rows).i32(cols).i32(rowsPerChunk)
          .launch(kernels.get(Name.SUM_ROWS_PARTIAL), Name.SUM_ROWS_PARTIAL.cName,
              ceilDiv(cols, CudaKernels.SUM_ROWS_TX), chunks, CudaKernels.SUM_ROWS_TX, CudaKernels.SUM_ROWS_TY, stream);
    }
    // Pass 2: out[col] = beta·out[col] + Σ_chunk partial[chunk, col], chunks in order.
    launch.args().ptr(partial).ptr(ob.address()).i32(chunks).i32(cols).f32(beta)
        .launch(kernels.get(Name.SUM_ROWS_FINAL), Name.SUM_ROWS_FINAL.cName,
            ceilDiv(cols, CudaKernels.BLOCK), 1, CudaKernels.BLOCK, 1, stream);
  }

  @Override
  public void activation(Activation f, Buf x, Buf y) {
    CudaBuf xb = buf(x);
    CudaBuf yb = buf(y);
    sameLength("activation", xb, yb);
    Name kernel = switch (f) {
      case RELU -> Name.RELU_FORWARD;
      case TANH -> Name.TANH_FORWARD;
      case SIGMOID -> Name.SIGMOID_FORWARD;
      case GELU -> Name.GELU_FORWARD;
    };
    ready();
    elementwise(kernel, xb.length(), launch.args().ptr(xb.address()).ptr(yb.address()).i64(xb.length()));
  }

  @Override
  public void activationBackward(Activation f, Buf x, Buf y, Buf dy, Buf dx) {
    CudaBuf xb = buf(x);
    CudaBuf yb = buf(y);
    CudaBuf dyb = buf(dy);
    CudaBuf dxb = buf(dx);
    sameLength("activationBackward x/y", xb, yb);
    sameLength("activationBackward x/dy", xb, dyb);
    sameLength("activationBackward x/dx", xb, dxb);
    Name kernel = switch (f) {
      case RELU -> Name.RELU_BACKWARD;
      case TANH -> Name.TANH_BACKWARD;
      case SIGMOID -> Name.SIGMOID_BACKWARD;
      case GELU -> Name.GELU_BACKWARD;
    };
    ready();
    elementwise(kernel, xb.length(), launch.args().ptr(xb.address()).ptr(yb.address()).ptr(dyb.address())
        .ptr(dxb.address()).i64(xb.length()));
  }

  @Override
  public void axpy(float alpha, Buf x, Buf y) {
    CudaBuf xb = buf(x);
    CudaBuf yb = buf(y);
    sameLength("axpy", xb, yb);
    ready();
    elementwise(Name.AXPY, xb.length(), launch.args().f32(alpha).ptr(xb.address()).ptr(yb.address()).i64(xb.length()));
  }

  @Override
  public void scale(Buf x, float alpha) {
    CudaBuf xb = buf(x);
    ready();
    elementwise(Name.SCALE, xb.length(), launch.args().ptr(xb.address()).f32(alpha).i64(xb.length()));
  }

  /** Σ x² in double on the device: per-block partials, then one block adds them in a fixed order. */
  @Override
  public double sumOfSquares(Buf x) {
    CudaBuf xb = buf(x);
    long n = xb.length();
    if (n == 0) {
      return 0.0;
    }
    ready();
    int blocks = (int) Math.min(ceilDiv(n, CudaKernels.BLOCK), CudaKernels.SUM_SQUARES_MAX_BLOCKS);
    long partial = scratch((blocks + 1L) * Double.BYTES);
    long total = partial + (long) blocks * Double.BYTES;
    launch.args().ptr(xb.address()).i64(n).ptr(partial)
        .launch(kernels.get(Name.SUM_SQUARES_PARTIAL), Name.SUM_SQUARES_PARTIAL.cName, blocks, 1, CudaKernels.BLOCK, 1,
            stream);
    launch.args().ptr(partial).i32(blocks).ptr(total)
        .launch(kernels.get(Name.SUM_F64_FINAL), Name.SUM_F64_FINAL.cName, 1, 1, CudaKernels.BLOCK, 1, stream);
    cuda(cudart.cudaMemcpyAsync(resultHost, new CudaPointer(total), Double.BYTES, cudart.cudaMemcpyDeviceToHost, stream),
        "cudaMemcpyAsync(sumOfSquares)");
    syncStream("sumOfSquares");
    return new DoublePointer(resultHost).get(0);
  }

  @Override
  public boolean allFinite(Buf x) {
    CudaBuf xb = buf(x);
    long n = xb.length();
    if (n == 0) {
      return true;
    }
    ready();
    cuda(cudart.cudaMemsetAsync(flagDevice, 0, Integer.BYTES, stream), "cudaMemsetAsync(allFinite flag)");
    elementwise(Name.ALL_FINITE, n, launch.args().ptr(xb.address()).i64(n).ptr(flagDevice.address()));
    cuda(cudart.cudaMemcpyAsync(resultHost, flagDevice, Integer.BYTES, cudart.cudaMemcpyDeviceToHost, stream),
        "cudaMemcpyAsync(allFinite)");
    syncStream("allFinite");
    return new IntPointer(resultHost).get(0) == 0;
  }

  @Override
  public void sgdStep(Buf w, Buf g, Buf m, float lr, float momentum, boolean nesterov, float weightDecay) {
    CudaBuf wb = buf(w);
    CudaBuf gb = buf(g);
    sameLength("sgdStep w/g", wb, gb);
    long n = wb.length();
    if (momentum == 0f) {
      ready();
      elementwise(Name.SGD_PLAIN, n, launch.args().ptr(wb.address()).ptr(gb.address()).f32(lr).f32(weightDecay).i64(n));
      return;
    }
    if (m == null) {
      throw new IllegalArgumentException("sgdStep with momentum " + momentum + " needs a momentum buffer");
    }
    CudaBuf mb = buf(m);
    sameLength("sgdStep w/m", wb, mb);
    ready();
    elementwise(Name.SGD_MOMENTUM, n, launch.args().ptr(wb.address()).ptr(gb.address()).ptr(mb.address()).f32(lr)
        .f32(momentum).i32(nesterov ? 1 : 0).f32(weightDecay).i64(n));
  }

  @Override
  public void adamStep(Buf w, Buf g, Buf m, Buf v, float lr, float beta1, float beta2, float eps,
                       float weightDecay, boolean decoupled, long t) {
    if (t < 1) {
      throw new IllegalArgumentException("adamStep: step number t is 1-based, got " + t);
    }
    CudaBuf wb = buf(w);
    CudaBuf gb = buf(g);
    CudaBuf mb = buf(m);
    CudaBuf vb = buf(v);
    sameLength("adamStep w/g", wb, gb);
    sameLength("adamStep w/m", wb, mb);
    sameLength("adamStep w/v", wb, vb);
    // Bias corrections folded into the step size and the denominator, as PyTorch (and the CPU backend) do.
    float stepSize = (float) (lr / (1.0 - Math.pow(beta1, t)));
    float sqrtCorrection2 = (float) Math.sqrt(1.0 - Math.pow(beta2, t));
    float decay = decoupled ? 1f - lr * weightDecay : 1f;
    float l2 = decoupled ? 0f : weightDecay;
    long n = wb.length();
    ready();
    elementwise(Name.ADAM_STEP, n, launch.args().ptr(wb.address()).ptr(gb.address()).ptr(mb.address())
        .ptr(vb.address()).f32(beta1).f32(beta2).f32(eps).f32(l2).f32(decay).f32(stepSize).f32(sqrtCorrection2).i64(n));
  }

  /**
   * Softmax cross-entropy on the device (not part of {@link Backend}: objectives run on the host today).
   * logits, grad: [rows, cols]; classIds: [rows], each a class id stored as a float; grad = gradScale ·
   * (softmax(logits) − onehot(id)); rowLoss (may be null): [rows] = −log softmax(logits)[id], NaN for an id
   * outside [0, cols).
   */
  public void softmaxCrossEntropy(Buf logits, Buf classIds, int rows, int cols, float gradScale, Buf grad,
                                  Buf rowLoss) {
    CudaBuf lb = needs("softmaxCrossEntropy logits", logits, (long) rows * cols);
    CudaBuf ib = needs("softmaxCrossEntropy classIds", classIds, rows);
    CudaBuf gb = needs("softmaxCrossEntropy grad", grad, (long) rows * cols);
    long lossAddress = rowLoss == null ? 0 : needs("softmaxCrossEntropy rowLoss", rowLoss, rows).address();
    if (rows == 0 || cols == 0) {
      return;
    }
    ready();
    int rowsPerBlock = CudaKernels.BLOCK / CudaKernels.WARP;
    launch.args().ptr(lb.address()).ptr(ib.address()).ptr(gb.address()).ptr(lossAddress).i32(rows).i32(cols)
        .f32(gradScale)
        .launch(kernels.get(Name.SOFTMAX_XENT), Name.SOFTMAX_XENT.cName, ceilDiv(rows, rowsPerBlock), 1,
            CudaKernels.BLOCK, 1, stream);
  }

  @Override
  public void synchronize() {
    ready();
    syncStream("synchronize");
  }

  /** Frees every buffer this backend allocated (views included become invalid), the stream and the handle. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<String> failures = new ArrayList<>();
    try {
      if (boundThread != Thread.currentThread() && boundThread != null) {
        cuda(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
      }
      if (stream != null) {
        collect(failures, cudart.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
      }
      for (Pointer p : allocations) {
        collect(failures, cudart.cudaFree(p), "cudaFree");
      }
      allocations.clear();
      for (Pointer p : pinned) {
        collect(failures, cudart.cudaFreeHost(p), "cudaFreeHost");
      }
      pinned.clear();
      if (scratch != null) {
        collect(failures, cudart.cudaFree(scratch), "cudaFree(scratch)");
      }
      if (flagDevice != null) {
        collect(failures, cudart.cudaFree(flagDevice), "cudaFree(flag)");
      }
      if (resultHost != null) {
        collect(failures, cudart.cudaFreeHost(resultHost), "cudaFreeHost(result)");
      }
      if (cublasHandle != null) {
        int rc = cublas.cublasDestroy_v2(cublasHandle);
        if (rc != 0) {
          failures.add("cublasDestroy (" + rc + ")");
        }
      }
      if (cublasWorkspace != null) {
        collect(failures, cudart.cudaFree(cublasWorkspace), "cudaFree(cublas workspace)");
      }
      staging.close();
      if (stream != null) {
        collect(failures, cudart.cudaStreamDestroy(stream), "cudaStreamDestroy");
      }
    } finally {
      stream = null;
      cublasHandle = null;
    }
    if (!failures.isEmpty()) {
      throw new CudaException("closing " + describe() + ": " + String.join(", ", failures));
    }
  }

  /** The fused objective kernels on this device ({@link CudaObjectives}), for up to {@code maxRows} rows a step. */
  @Override
  public ObjectiveKernels objectiveKernels(int maxRows) {
    ready();
    return new CudaObjectives(this, maxRows);
  }

  /** A CUDA graph of {@code work} ({@link CudaGraph}). */
  @Override
  public CudaGraph capture(Runnable work) {
    return CudaGraph.capture(this, work);
  }

  /** The language-model layer kernels on this device ({@link CudaSequences}). */
  @Override
  public SequenceKernels sequenceKernels() {
    ready();
    if (sequences == null) {
      sequences = new CudaSequences(this, maxBlocks);
    }
    return sequences;
  }

  // --- package-private: CUDA graphs, benchmarks and the kernel families in their own classes ---

  CUstream_st stream() {
    ready();
    return stream;
  }

  /** The argument block for the next launch on this backend's stream (the device made current). */
  CudaLaunch launcher() {
    ready();
    return launch.args();
  }

  CudaModuleCache.Kernels kernels() {
    return kernels;
  }

  /** Device memory freed when the backend closes. */
  long allocateBytes(long bytes, String what) {
    ready();
    Pointer p = deviceMalloc(bytes, what);
    allocations.add(p);
    return p.address();
  }

  /** Pinned host memory freed when the backend closes. */
  Pointer allocatePinned(long bytes, String what) {
    ready();
    Pointer host = new Pointer();
    cuda(cudart.cudaMallocHost(host, bytes), "cudaMallocHost(" + bytes + " bytes, " + what + ")");
    pinned.add(host);
    return host;
  }

  /** Waits for every operation queued on the stream. */
  void waitForStream(String why) {
    ready();
    syncStream(why);
  }

  /** {@code b} as this backend's buffer of at least {@code floats} floats, or an error naming {@code what}. */
  CudaBuf own(String what, Buf b, long floats) {
    return needs(what, b, floats);
  }

  // --- internals ---

  /** Refuses a closed backend; makes this backend's device current when a new thread uses it. */
  private void ready() {
    if (closed) {
      throw new IllegalStateException(describe() + " is closed");
    }
    Thread current = Thread.currentThread();
    if (current != boundThread) {
      // Since CUDA 12, cudaSetDevice also makes the primary context current, which the driver-API launches need.
      cuda(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
      boundThread = current;
    }
  }

  private void elementwise(Name kernel, long n, CudaLaunch args) {
    if (n == 0) {
      return;
    }
    int blocks = (int) Math.min(ceilDiv(n, CudaKernels.BLOCK), maxBlocks);
    args.launch(kernels.get(kernel), kernel.cName, blocks, 1, CudaKernels.BLOCK, 1, stream);
  }

  /**
   * Device address of at least {@code bytes} of scratch. A grown scratch keeps the old allocation until the
   * backend closes: a recorded CUDA graph may still point at it (replays run in stream order, so sharing is safe).
   */
  private long scratch(long bytes) {
    if (bytes > scratchBytes) {
      long grown = Math.max(bytes, Math.max(2 * scratchBytes, 64 * 1024));
      if (scratch != null) {
        allocations.add(scratch); // freed on close, not now
        scratch = null;
        scratchBytes = 0;
      }
      scratch = deviceMalloc(grown, "reduction scratch");
      scratchBytes = grown;
    }
    return scratch.address();
  }

  private static Pointer deviceMalloc(long bytes, String what) {
    Pointer p = new Pointer();
    cuda(cudart.cudaMalloc(p, bytes), "cudaMalloc(" + bytes + " bytes, " + what + ")");
    return p;
  }

  private void syncStream(String why) {
    cuda(cudart.cudaStreamSynchronize(stream), "cudaStreamSynchronize(" + why + ")");
  }

  private CudaBuf buf(Buf b) {
    if (b instanceof CudaBuf cb && cb.owner() == this) {
      return cb;
    }
    throw new IllegalArgumentException(describe() + " got a buffer it did not allocate: " + b);
  }

  private CudaBuf needs(String what, Buf b, long floats) {
    CudaBuf cb = buf(b);
    if (cb.length() < floats) {
      throw new IllegalArgumentException(what + ": needs " + floats + " floats, buffer has " + cb.length());
    }
    return cb;
  }

  private static void sameLength(String op, CudaBuf a, CudaBuf b) {
    if (a.length() != b.length()) {
      throw new IllegalArgumentException(op + ": lengths differ (" + a.length() + " vs " + b.length() + ")");
    }
  }

  private static void collect(List<String> failures, int rc, String call) {
    if (rc != 0) {
      failures.add(call + " " + CudaErrors.runtimeName(rc) + " (" + rc + ")");
    }
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
