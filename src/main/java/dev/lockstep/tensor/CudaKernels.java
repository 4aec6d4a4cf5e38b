package dev.lockstep.tensor;

/**
 * CUDA C source of every kernel {@link CudaBackend} launches, compiled once per device by NVRTC
 * ({@link CudaModuleCache}). One {@code extern "C" __global__} function per op, no #include: NVRTC compiles it
 * without the CUDA headers, and a CPU-side test compiles the same text with {@code nvcc -ptx}.
 *
 * <p>Numerics follow the CPU backend: GELU is the tanh approximation 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³)))
 * with its exact derivative; reductions (sumRows, sumOfSquares) accumulate in double in a fixed order, so a
 * result does not depend on scheduling (no atomics).
 */
final class CudaKernels {
  private CudaKernels() {}

  /** Threads per block of the one-dimensional kernels. */
  static final int BLOCK = 256;
  /** sum_rows_partial block shape: SR_TX columns × SR_TY row lanes; must match the #defines in SOURCE. */
  static final int SUM_ROWS_TX = 32;
  static final int SUM_ROWS_TY = 8;
  /** Rows one sum_rows_partial block adds up (more when the grid's y limit would be exceeded). */
  static final int SUM_ROWS_CHUNK = 64;
  /** Blocks of sum_squares_partial at most: one double partial each, summed by sum_f64_final. */
  static final int SUM_SQUARES_MAX_BLOCKS = 1024;
  /** softmax_xent: one warp per row. */
  static final int WARP = 32;

  /** The kernels, by their C names. */
  enum Name {
    FILL("fill_f32"),
    ADD_ROW_VECTOR("add_row_vector"),
    SUM_ROWS_PARTIAL("sum_rows_partial"),
    SUM_ROWS_FINAL("sum_rows_final"),
    RELU_FORWARD("relu_forward"),
    TANH_FORWARD("tanh_forward"),
    SIGMOID_FORWARD("sigmoid_forward"),
    GELU_FORWARD("gelu_forward"),
    RELU_BACKWARD("relu_backward"),
    TANH_BACKWARD("tanh_backward"),
    SIGMOID_BACKWARD("sigmoid_backward"),
    GELU_BACKWARD("gelu_backward"),
    AXPY("axpy_f32"),
    SCALE("scale_f32"),
    SUM_SQUARES_PARTIAL("sum_squares_partial"),
    SUM_F64_FINAL("sum_f64_final"),
    ALL_FINITE("all_finite"),
    SGD_PLAIN("sgd_plain"),
    SGD_MOMENTUM("sgd_momentum"),
    ADAM_STEP("adam_step"),
    SOFTMAX_XENT("softmax_xent"),
    // CudaObjectiveKernels
    OBJECTIVE_ROWS("objective_rows"),
    OBJECTIVE_ACCUMULATE("objective_accumulate"),
    REGULARIZE_PARTIAL("regularize_partial"),
    REGULARIZE_ACCUMULATE("regularize_accumulate"),
    // CudaSequenceKernels
    EMBEDDING_FORWARD("embedding_forward"),
    EMBEDDING_BACKWARD_TABLE("embedding_backward_table"),
    EMBEDDING_BACKWARD_POS("embedding_backward_pos"),
    LAYER_NORM_FORWARD("layer_norm_forward"),
    LAYER_NORM_BACKWARD("layer_norm_backward"),
    ATTENTION_FORWARD("attention_forward"),
    ATTENTION_BACKWARD_QUERY("attention_backward_query"),
    ATTENTION_BACKWARD_KEY("attention_backward_key");

    final String cName;

    Name(String cName) {
      this.cName = cName;
    }
  }

  /** Everything the module compiles: {@link #SOURCE}, then the kernel files that build on it. */
  static String source() {
    return SOURCE + CudaObjectiveKernels.SOURCE + CudaSequenceKernels.SOURCE;
  }

  static final String SOURCE = """
      // lockstep CUDA kernels (NVRTC, no headers). n is a 64-bit element count; loops are grid-stride.
      #define SR_TX 32
      #define SR_TY 8
      #define RED_THREADS 256

      __device__ __forceinline__ long long first_index() {
        return (long long) blockIdx.x * blockDim.x + threadIdx.x;
      }
      __device__ __forceinline__ long long grid_stride() {
        return (long long) gridDim.x * blockDim.x;
      }
      __device__ __forceinline__ float gelu_inner(float v) {
        return 0.7978845608028654f * (v + 0.044715f * v * v * v); // sqrt(2/pi) * (x + 0.044715 x^3)
      }

      extern "C" __global__ void fill_f32(float* y, float value, long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) y[i] = value;
      }

      // y: [rows, cols] += bias: [cols] broadcast over rows
      extern "C" __global__ void add_row_vector(float* y, const float* bias, long long n, int cols) {
        for (long long i = first_index(); i < n; i += grid_stride()) y[i] += bias[i % cols];
      }

      // x: [rows, cols] -> partial: [chunks, cols] (double); block = SR_TX columns x SR_TY row lanes,
      // blockIdx.y = chunk of rowsPerChunk rows. Lanes are added in a fixed order: deterministic.
      extern "C" __global__ void sum_rows_partial(const float* x, double* partial, int rows, int cols,
                                                  int rowsPerChunk) {
        __shared__ double lanes[SR_TY][SR_TX];
        int col = blockIdx.x * SR_TX + threadIdx.x;
        long long r0 = (long long) blockIdx.y * rowsPerChunk;
        long long r1 = r0 + rowsPerChunk < rows ? r0 + rowsPerChunk : rows;
        double acc = 0.0;
        if (col < cols) {
          for (long long r = r0 + threadIdx.y; r < r1; r += SR_TY) acc += (double) x[r * cols + col];
        }
        lanes[threadIdx.y][threadIdx.x] = acc;
        __syncthreads();
        if (threadIdx.y == 0 && col < cols) {
          double s = 0.0;
          for (int k = 0; k < SR_TY; k++) s += lanes[k][threadIdx.x];
          partial[(long long) blockIdx.y * cols + col] = s;
        }
      }

      // out: [cols] = beta * out + sum of the chunk partials, in chunk order
      extern "C" __global__ void sum_rows_final(const double* partial, float* out, int chunks, int cols,
                                                float beta) {
        int col = blockIdx.x * blockDim.x + threadIdx.x;
        if (col >= cols) return;
        double acc = beta == 0.0f ? 0.0 : (double) beta * (double) out[col];
        for (int c = 0; c < chunks; c++) acc += partial[(long long) c * cols + col];
        out[col] = (float) acc;
      }

      extern "C" __global__ void relu_forward(const float* x, float* y, long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) { float v = x[i]; y[i] = v > 0.0f ? v : 0.0f; }
      }
      extern "C" __global__ void tanh_forward(const float* x, float* y, long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) y[i] = tanhf(x[i]);
      }
      extern "C" __global__ void sigmoid_forward(const float* x, float* y, long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) y[i] = 1.0f / (1.0f + expf(-x[i]));
      }
      extern "C" __global__ void gelu_forward(const float* x, float* y, long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) {
          float v = x[i];
          y[i] = 0.5f * v * (1.0f + tanhf(gelu_inner(v)));
        }
      }

      // dx = dy * f'(x), given x and y = f(x); dx may alias dy
      extern "C" __global__ void relu_backward(const float* x, const float* y, const float* dy, float* dx,
                                               long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
      }
      extern "C" __global__ void tanh_backward(const float* x, const float* y, const float* dy, float* dx,
                                               long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) { float t = y[i]; dx[i] = dy[i] * (1.0f - t * t); }
      }
      extern "C" __global__ void sigmoid_backward(const float* x, const float* y, const float* dy, float* dx,
                                                  long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) { float s = y[i]; dx[i] = dy[i] * s * (1.0f - s); }
      }
      extern "C" __global__ void gelu_backward(const float* x, const float* y, const float* dy, float* dx,
                                               long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) {
          float v = x[i];
          float t = tanhf(gelu_inner(v));
          float dInner = 0.7978845608028654f * (1.0f + 3.0f * 0.044715f * v * v);
          dx[i] = dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * dInner);
        }
      }

      extern "C" __global__ void axpy_f32(float alpha, const float* x, float* y, long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) y[i] += alpha * x[i];
      }
      extern "C" __global__ void scale_f32(float* x, float alpha, long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) x[i] *= alpha;
      }

      // one double partial per block (blockDim.x == RED_THREADS), tree-reduced in a fixed order
      extern "C" __global__ void sum_squares_partial(const float* x, long long n, double* partial) {
        __shared__ double s[RED_THREADS];
        double acc = 0.0;
        for (long long i = first_index(); i < n; i += grid_stride()) { double v = (double) x[i]; acc += v * v; }
        s[threadIdx.x] = acc;
        __syncthreads();
        for (int w = RED_THREADS / 2; w > 0; w >>= 1) {
          if (threadIdx.x < w) s[threadIdx.x] += s[threadIdx.x + w];
          __syncthreads();
        }
        if (threadIdx.x == 0) partial[blockIdx.x] = s[0];
      }

      // out[0] = sum of partial[0..count), one block of RED_THREADS threads, fixed order
      extern "C" __global__ void sum_f64_final(const double* partial, int count, double* out) {
        __shared__ double s[RED_THREADS];
        double acc = 0.0;
        for (int i = threadIdx.x; i < count; i += RED_THREADS) acc += partial[i];
        s[threadIdx.x] = acc;
        __syncthreads();
        for (int w = RED_THREADS / 2; w > 0; w >>= 1) {
          if (threadIdx.x < w) s[threadIdx.x] += s[threadIdx.x + w];
          __syncthreads();
        }
        if (threadIdx.x == 0) out[0] = s[0];
      }

      // *nonFinite = 1 if some x is NaN or +-Inf (exponent bits all ones); every writer writes the same value
      extern "C" __global__ void all_finite(const float* x, long long n, int* nonFinite) {
        for (long long i = first_index(); i < n; i += grid_stride()) {
          if ((__float_as_uint(x[i]) & 0x7f800000u) == 0x7f800000u) *nonFinite = 1;
        }
      }

      // SGD without momentum: w -= lr * (g + wd * w)
      extern "C" __global__ void sgd_plain(float* w, const float* g, float lr, float weightDecay, long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) {
          float wi = w[i];
          w[i] = wi - lr * (g[i] + weightDecay * wi);
        }
      }

      // g' = g + wd*w; m = mu*m + g'; w -= lr * (nesterov ? g' + mu*m : m)
      extern "C" __global__ void sgd_momentum(float* w, const float* g, float* m, float lr, float momentum,
                                              int nesterov, float weightDecay, long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) {
          float wi = w[i];
          float gi = g[i] + weightDecay * wi;
          float mi = momentum * m[i] + gi;
          m[i] = mi;
          w[i] = wi - lr * (nesterov ? gi + momentum * mi : mi);
        }
      }

      // Adam/AdamW with the bias corrections folded into stepSize = lr / (1 - beta1^t) and
      // sqrtCorrection2 = sqrt(1 - beta2^t) (both computed on the host in double), as PyTorch does:
      // g' = g + l2*w; m = b1*m + (1-b1)*g'; v = b2*v + (1-b2)*g'^2;
      // w = w*decay - stepSize * m / (sqrt(v)/sqrtCorrection2 + eps), decay = 1 - lr*wd when decoupled
      extern "C" __global__ void adam_step(float* w, const float* g, float* m, float* v, float beta1, float beta2,
                                           float eps, float l2, float decay, float stepSize, float sqrtCorrection2,
                                           long long n) {
        for (long long i = first_index(); i < n; i += grid_stride()) {
          float wi = w[i];
          float gi = g[i] + l2 * wi;
          float mi = beta1 * m[i] + (1.0f - beta1) * gi;
          float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
          m[i] = mi;
          v[i] = vi;
          float denom = sqrtf(vi) / sqrtCorrection2 + eps;
          w[i] = wi * decay - stepSize * mi / denom;
        }
      }

      // Softmax cross-entropy, one warp per row. logits, grad: [rows, cols]; classIds: [rows] (class id as a
      // float); grad = gradScale * (softmax(logits) - onehot); rowLoss (may be null): [rows] = -log softmax[id].
      extern "C" __global__ void softmax_xent(const float* logits, const float* classIds, float* grad,
                                              float* rowLoss, int rows, int cols, float gradScale) {
        int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
        int lane = threadIdx.x % 32;
        if (row >= rows) return; // the whole warp leaves together
        const float* x = logits + (long long) row * cols;
        float* d = grad + (long long) row * cols;
        float mx = -__int_as_float(0x7f800000);
        for (int c = lane; c < cols; c += 32) mx = fmaxf(mx, x[c]);
        for (int o = 16; o > 0; o >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, o));
        float sum = 0.0f;
        for (int c = lane; c < cols; c += 32) sum += expf(x[c] - mx);
        for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o);
        int id = (int) classIds[row];
        for (int c = lane; c < cols; c += 32) {
          float p = expf(x[c] - mx) / sum;
          d[c] = gradScale * (p - (c == id ? 1.0f : 0.0f));
        }
        if (rowLoss != 0 && lane == 0) {
          rowLoss[row] = (id >= 0 && id < cols) ? logf(sum) - (x[id] - mx) : __int_as_float(0x7fc00000);
        }
      }
      """;
}
