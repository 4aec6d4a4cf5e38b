package dev.lockstep.tensor;

/**
 * CUDA C source of the fused objective kernels ({@link ObjectiveKernels} on {@link CudaBackend}), compiled in the
 * same NVRTC module as {@link CudaKernels#SOURCE} (appended to it, so it may use its helpers and #defines).
 *
 * <p>{@code objective_rows}: one warp per row computes the row's loss (in double, as the host objectives do), its
 * gradient times gradScale and whether the row was predicted right, in one pass over the row. Warp sums use an
 * xor butterfly, which gives every lane the same value in a fixed order. {@code objective_accumulate} then adds
 * the rows' losses and hits into a [loss, hits] double accumulator with one block in a fixed order, so the step's
 * loss does not depend on scheduling (no atomics). {@code regularize_partial} does the same for l2/l1 terms.
 * The math of each objective mirrors its host class in {@code dev.lockstep.objective} line by line.
 */
final class CudaObjectiveKernels {
  private CudaObjectiveKernels() {}

  /** Rows per block of objective_rows (one warp each). */
  static final int ROWS_PER_BLOCK = CudaKernels.BLOCK / CudaKernels.WARP;

  static final String SOURCE = """
      // --- objectives (CudaObjectiveKernels) ---
      #define OBJ_CROSS_ENTROPY 0
      #define OBJ_BINARY_CROSS_ENTROPY 1
      #define OBJ_MSE 2
      #define OBJ_MAE 3
      #define OBJ_HUBER 4
      #define OBJ_HINGE_CRAMMER_SINGER 5
      #define OBJ_HINGE_ONE_VS_REST 6
      #define OBJ_KL_DIVERGENCE 7
      #define HITS_NONE 0
      #define HITS_ARGMAX_CLASS 1
      #define HITS_ARGMAX_VALUES 2
      #define HITS_ALL_LABELS 3

      __device__ __forceinline__ double warp_sum_d(double v) {
        for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
        return v;
      }
      __device__ __forceinline__ double warp_max_d(double v) {
        for (int o = 16; o > 0; o >>= 1) v = fmax(v, __shfl_xor_sync(0xffffffffu, v, o));
        return v;
      }
      // arg-max of x[0, cols) over the warp, ties to the lowest index; skip (>= 0) is left out
      __device__ __forceinline__ int warp_argmax(const float* x, int cols, int lane, int skip) {
        float best = -__int_as_float(0x7f800000);
        int at = 0x7fffffff;
        for (int c = lane; c < cols; c += 32) {
          if (c == skip) continue;
          float v = x[c];
          if (at == 0x7fffffff || v > best) { best = v; at = c; }
        }
        for (int o = 16; o > 0; o >>= 1) {
          float ov = __shfl_xor_sync(0xffffffffu, best, o);
          int oa = __shfl_xor_sync(0xffffffffu, at, o);
          if (oa != 0x7fffffff && (at == 0x7fffffff || ov > best || (ov == best && oa < at))) { best = ov; at = oa; }
        }
        return at;
      }
      __device__ __forceinline__ double softplus_d(double x) {
        return fmax(x, 0.0) + log1p(exp(-fabs(x)));
      }
      __device__ __forceinline__ double sigmoid_d(double x) {
        if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
        double e = exp(x);
        return e / (1.0 + e);
      }

      // One warp per row. out, grad: [rows, cols]; target: class ids stored as floats [rows] when classIds != 0,
      // else values [rows, cols]; weights: [cols] class weights or null; rowLoss: [rows] (double);
      // rowHit: [rows] 1 when the row counts as predicted right under hits (HITS_*), else 0.
      // The host has checked the targets (ids in range, values in the objective's domain).
      extern "C" __global__ void objective_rows(int kind, const float* out, const float* target, int classIds,
                                                const float* weights, float smoothing, float delta, int squared,
                                                int hits, int rows, int cols, float gradScale, float* grad,
                                                double* rowLoss, int* rowHit) {
        int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
        int lane = threadIdx.x % 32;
        if (row >= rows) return; // the whole warp leaves together
        const float* o = out + (long long) row * cols;
        float* g = grad + (long long) row * cols;
        const float* t = classIds ? 0 : target + (long long) row * cols;
        int y = classIds ? (int) target[row] : -1;
        double gs = (double) gradScale;
        double loss = 0.0;
        if (kind == OBJ_CROSS_ENTROPY || kind == OBJ_KL_DIVERGENCE) {
          double mx = -__longlong_as_double(0x7ff0000000000000LL);
          for (int c = lane; c < cols; c += 32) mx = fmax(mx, (double) o[c]);
          mx = warp_max_d(mx);
          double se = 0.0;
          for (int c = lane; c < cols; c += 32) se += exp((double) o[c] - mx);
          double lse = mx + log(warp_sum_d(se));
          double mass = 0.0;
          if (kind == OBJ_KL_DIVERGENCE) {
            for (int c = lane; c < cols; c += 32) {
              double tc = (double) t[c];
              if (tc > 0.0) { mass += tc; loss += tc * (log(tc) - ((double) o[c] - lse)); }
            }
            mass = warp_sum_d(mass);
            for (int c = lane; c < cols; c += 32) {
              double p = exp((double) o[c] - lse);
              g[c] = (float) ((p * mass - (double) t[c]) * gs);
            }
          } else {
            // q_c = w_c * ((1 - eps) * target_c + eps * targetMass / cols): the weighted, smoothed target
            double targetMass = 1.0;
            if (!classIds) {
              double tm = 0.0;
              for (int c = lane; c < cols; c += 32) tm += (double) t[c];
              targetMass = warp_sum_d(tm);
            }
            double eps = (double) smoothing;
            for (int c = lane; c < cols; c += 32) {
              double q = classIds ? (c == y ? 1.0 : 0.0) : (double) t[c];
              if (eps != 0.0) q = (1.0 - eps) * q + eps * targetMass / cols;
              if (weights != 0) q = (double) weights[c] * q;
              if (q != 0.0) { mass += q; loss += q * (lse - (double) o[c]); }
            }
            mass = warp_sum_d(mass);
            for (int c = lane; c < cols; c += 32) {
              double q = classIds ? (c == y ? 1.0 : 0.0) : (double) t[c];
              if (eps != 0.0) q = (1.0 - eps) * q + eps * targetMass / cols;
              if (weights != 0) q = (double) weights[c] * q;
              double p = exp((double) o[c] - lse);
              g[c] = (float) ((p * mass - q) * gs);
            }
          }
        } else if (kind == OBJ_HINGE_CRAMMER_SINGER) {
          int rival = warp_argmax(o, cols, lane, y);
          double m = 1.0 + (double) o[rival] - (double) o[y];
          double d = m > 0.0 ? (squared ? 2.0 * m : 1.0) * gs : 0.0;
          for (int c = lane; c < cols; c += 32) g[c] = c == rival ? (float) d : c == y ? (float) -d : 0.0f;
          if (lane == 0 && m > 0.0) loss = squared ? m * m : m;
        } else if (kind == OBJ_HINGE_ONE_VS_REST) {
          for (int c = lane; c < cols; c += 32) {
            double s = c == y ? 1.0 : -1.0;
            double m = 1.0 - s * (double) o[c];
            if (m > 0.0) {
              loss += squared ? m * m : m;
              g[c] = (float) (-s * (squared ? 2.0 * m : 1.0) * gs);
            } else {
              g[c] = 0.0f;
            }
          }
        } else { // elementwise against value targets
          double dl = (double) delta;
          for (int c = lane; c < cols; c += 32) {
            double oc = (double) o[c], tc = (double) t[c];
            double diff = oc - tc;
            double gc;
            if (kind == OBJ_BINARY_CROSS_ENTROPY) {
              loss += softplus_d(oc) - oc * tc;
              gc = sigmoid_d(oc) - tc;
            } else if (kind == OBJ_MSE) {
              loss += diff * diff;
              gc = 2.0 * diff;
            } else if (kind == OBJ_MAE) {
              loss += fabs(diff);
              gc = diff > 0.0 ? 1.0 : diff < 0.0 ? -1.0 : 0.0;
            } else { // OBJ_HUBER
              double a = fabs(diff);
              loss += a <= dl ? 0.5 * diff * diff : dl * (a - 0.5 * dl);
              gc = fmax(-dl, fmin(dl, diff));
            }
            g[c] = (float) (gc * gs);
          }
        }
        loss = warp_sum_d(loss);
        int hit = 0;
        if (hits == HITS_ARGMAX_CLASS) {
          hit = warp_argmax(o, cols, lane, -1) == y;
        } else if (hits == HITS_ARGMAX_VALUES) {
          hit = warp_argmax(o, cols, lane, -1) == warp_argmax(t, cols, lane, -1);
        } else if (hits == HITS_ALL_LABELS) {
          int wrong = 0;
          for (int c = lane; c < cols; c += 32) wrong |= (o[c] > 0.0f) != (t[c] > 0.5f);
          hit = __any_sync(0xffffffffu, wrong) ? 0 : 1;
        }
        if (lane == 0) {
          rowLoss[row] = loss;
          rowHit[row] = hit;
        }
      }

      // acc[0] += sum of rowLoss[0, rows), acc[1] += sum of rowHit[0, rows): one block of RED_THREADS threads,
      // a fixed order (deterministic); acc persists across steps until the host reads and clears it.
      extern "C" __global__ void objective_accumulate(const double* rowLoss, const int* rowHit, int rows,
                                                      double* acc) {
        __shared__ double sl[RED_THREADS];
        __shared__ double sh[RED_THREADS];
        double l = 0.0, h = 0.0;
        for (int i = threadIdx.x; i < rows; i += RED_THREADS) { l += rowLoss[i]; h += (double) rowHit[i]; }
        sl[threadIdx.x] = l;
        sh[threadIdx.x] = h;
        __syncthreads();
        for (int w = RED_THREADS / 2; w > 0; w >>= 1) {
          if (threadIdx.x < w) { sl[threadIdx.x] += sl[threadIdx.x + w]; sh[threadIdx.x] += sh[threadIdx.x + w]; }
          __syncthreads();
        }
        if (threadIdx.x == 0) { acc[0] += sl[0]; acc[1] += sh[0]; }
      }

      // l2/l1 weight penalty over w: [n]: when addGradient, g += 2*l2*w + l1*sign(w); partial[block] =
      // sum of l2*w^2 + l1*|w| over the block's elements (blockDim.x == RED_THREADS), tree-reduced in a fixed order.
      extern "C" __global__ void regularize_partial(const float* w, float* g, long long n, float l2, float l1,
                                                    int addGradient, double* partial) {
        __shared__ double s[RED_THREADS];
        double acc = 0.0;
        double dl2 = (double) l2, dl1 = (double) l1;
        for (long long i = first_index(); i < n; i += grid_stride()) {
          double v = (double) w[i];
          acc += dl2 * v * v + dl1 * fabs(v);
          if (addGradient) {
            double sg = v > 0.0 ? 1.0 : v < 0.0 ? -1.0 : 0.0;
            g[i] += (float) (2.0 * dl2 * v + dl1 * sg);
          }
        }
        s[threadIdx.x] = acc;
        __syncthreads();
        for (int k = RED_THREADS / 2; k > 0; k >>= 1) {
          if (threadIdx.x < k) s[threadIdx.x] += s[threadIdx.x + k];
          __syncthreads();
        }
        if (threadIdx.x == 0) partial[blockIdx.x] = s[0];
      }

      // acc[0] += scale * sum of partial[0, count): one block of RED_THREADS threads, fixed order
      extern "C" __global__ void regularize_accumulate(const double* partial, int count, double scale, double* acc) {
        __shared__ double s[RED_THREADS];
        double a = 0.0;
        for (int i = threadIdx.x; i < count; i += RED_THREADS) a += partial[i];
        s[threadIdx.x] = a;
        __syncthreads();
        for (int w = RED_THREADS / 2; w > 0; w >>= 1) {
          if (threadIdx.x < w) s[threadIdx.x] += s[threadIdx.x + w];
          __syncthreads();
        }
        if (threadIdx.x == 0) acc[0] += scale * s[0];
      }
      """;
}
