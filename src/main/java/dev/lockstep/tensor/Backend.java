package dev.lockstep.tensor;

/**
 * The numeric contract layers, objectives and optimizers are written against. All matrices are row-major
 * and dense. Implementations: {@code CpuBackend} (OpenBLAS through JavaCPP) and, later, {@code CudaBackend}.
 * A backend instance belongs to one rank; it is not shared between ranks.
 */
public interface Backend extends AutoCloseable {
  String name();

  /** A new zero-filled buffer of {@code length} floats. */
  Buf allocate(long length);

  /** Copies {@code dst.length()} floats from {@code src[srcOffset...]} into {@code dst}. */
  void upload(float[] src, int srcOffset, Buf dst);

  /** Copies all of {@code src} into {@code dst[dstOffset...]}. */
  void download(Buf src, float[] dst, int dstOffset);

  /** dst = src (same length). */
  void copy(Buf src, Buf dst);

  void fill(Buf dst, float value);

  /**
   * C[m×n] = alpha · op(A) · op(B) + beta · C, with op(A) m×k and op(B) k×n; {@code transA} means A is stored
   * k×m, {@code transB} means B is stored n×k.
   */
  void gemm(boolean transA, boolean transB, int m, int n, int k,
            float alpha, Buf a, Buf b, float beta, Buf c);

  /** y[r, c] += bias[c] for y: [rows, cols]. */
  void addRowVector(Buf y, Buf bias, int rows, int cols);

  /** out[c] = beta · out[c] + Σ_r x[r, c] for x: [rows, cols]. */
  void sumRows(Buf x, Buf out, int rows, int cols, float beta);

  /** y = f(x), elementwise. In place (y = x) only when the backward pass will not need x (GELU needs it). */
  void activation(Activation f, Buf x, Buf y);

  /** dx = dy · f'(x), elementwise, given x and y = f(x); dx may be dy. */
  void activationBackward(Activation f, Buf x, Buf y, Buf dy, Buf dx);

  /** y += alpha · x. */
  void axpy(float alpha, Buf x, Buf y);

  /** x *= alpha. */
  void scale(Buf x, float alpha);

  /** Σ x², accumulated in double. */
  double sumOfSquares(Buf x);

  /** True if every element is finite. */
  boolean allFinite(Buf x);

  /**
   * SGD with momentum over flat buffers: g' = g + wd·w; m = μ·m + g'; w -= lr · (nesterov ? g' + μ·m : m).
   * With μ = 0 the momentum buffer may be null.
   */
  void sgdStep(Buf w, Buf g, Buf m, float lr, float momentum, boolean nesterov, float weightDecay);

  /**
   * Adam (decoupled=false: g' = g + wd·w) or AdamW (decoupled=true: w *= 1 − lr·wd first) step number {@code t}
   * (1-based), bias-corrected as PyTorch does: m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²;
   * w −= lr/(1−β1^t) · m / (√v / √(1−β2^t) + eps).
   */
  void adamStep(Buf w, Buf g, Buf m, Buf v, float lr, float beta1, float beta2, float eps,
                float weightDecay, boolean decoupled, long t);

  /**
   * Fused objective kernels computing loss, gradient and hits where the model output lives, for up to
   * {@code maxRows} rows a step; null when this backend leaves objectives to the host code (the CPU backend,
   * whose buffers the host objectives read directly).
   */
  default ObjectiveKernels objectiveKernels(int maxRows) {
    return null;
  }

  /** Kernels for the language-model layers, or null when they compute on the host (the CPU backend). */
  default SequenceKernels sequenceKernels() {
    return null;
  }

  /** A recorded sequence of a backend's asynchronous operations, replayed with one launch (a CUDA graph). */
  interface Replay extends AutoCloseable {
    /** Enqueues one replay (asynchronous, like every other operation). */
    void launch();

    @Override
    void close();
  }

  /**
   * Records what {@code work} enqueues (running none of it) for replay, or returns null when this backend has no
   * such thing (the CPU backend). {@code work} may only enqueue asynchronous operations on buffers that outlive
   * the recording; it must have run once before at the same shapes, so that scratch memory has its size.
   */
  default Replay capture(Runnable work) {
    return null;
  }

  /** Blocks until all queued work is done (a no-op on the CPU). */
  default void synchronize() {}

  @Override
  default void close() {}
}
