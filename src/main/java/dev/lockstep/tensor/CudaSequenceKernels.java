package dev.lockstep.tensor;

/**
 * CUDA C source of the language-model layer kernels ({@link SequenceKernels} on {@link CudaBackend}: embedding,
 * layer norm, causal attention), appended to {@link CudaKernels#SOURCE} in the same NVRTC module. No atomics:
 * every output element is written by one thread, and sums over rows run in the host code's order (float sums
 * in the same order give the same bits; double sums over a row use a warp butterfly, which every lane agrees on).
 */
final class CudaSequenceKernels {
  private CudaSequenceKernels() {}

  /** Longest sequence the attention kernels handle (one query's weights live in shared memory). */
  static final int MAX_POSITIONS = 1024;

  static final String SOURCE = """
      // --- language-model layers (CudaSequenceKernels) ---
      #define ATT_MAX_T 1024

      // y: [rows, C] = table[id[r]] (+ pos[r % T]); ids stored as floats, checked by the data pipeline
      extern "C" __global__ void embedding_forward(const float* ids, const float* table, const float* pos,
                                                   float* y, int rows, int T, int C) {
        long long n = (long long) rows * C;
        for (long long i = first_index(); i < n; i += grid_stride()) {
          int r = (int) (i / C), c = (int) (i % C);
          float v = table[(long long) ((int) ids[r]) * C + c];
          if (pos != 0) v += pos[(long long) (r % T) * C + c];
          y[i] = v;
        }
      }

      // dTable[v, c] += sum over rows r with id[r] == v of dy[r, c], rows in order; one thread per (v, c)
      extern "C" __global__ void embedding_backward_table(const float* ids, const float* dy, float* dTable,
                                                          int rows, int V, int C) {
        long long n = (long long) V * C;
        for (long long i = first_index(); i < n; i += grid_stride()) {
          int v = (int) (i / C), c = (int) (i % C);
          float acc = 0.0f;
          for (int r = 0; r < rows; r++) if ((int) ids[r] == v) acc += dy[(long long) r * C + c];
          dTable[i] += acc;
        }
      }

      // dPos[t, c] += sum over rows r with r % T == t of dy[r, c], rows in order; one thread per (t, c)
      extern "C" __global__ void embedding_backward_pos(const float* dy, float* dPos, int rows, int T, int C) {
        long long n = (long long) T * C;
        for (long long i = first_index(); i < n; i += grid_stride()) {
          int t = (int) (i / C), c = (int) (i % C);
          float acc = 0.0f;
          for (int r = t; r < rows; r += T) acc += dy[(long long) r * C + c];
          dPos[i] += acc;
        }
      }

      // one warp per row of x: [rows, C]: mean and 1/sqrt(var + eps) in double
      __device__ __forceinline__ void ln_stats(const float* x, int C, int lane, double eps, double* mean,
                                               double* rstd) {
        double s = 0.0;
        for (int c = lane; c < C; c += 32) s += (double) x[c];
        for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
        double m = s / C;
        double q = 0.0;
        for (int c = lane; c < C; c += 32) { double d = (double) x[c] - m; q += d * d; }
        for (int o = 16; o > 0; o >>= 1) q += __shfl_xor_sync(0xffffffffu, q, o);
        *mean = m;
        *rstd = 1.0 / sqrt(q / C + eps);
      }

      // y = gamma * (x - mean) * rstd + beta per row; one warp per row
      extern "C" __global__ void layer_norm_forward(const float* x, const float* gamma, const float* beta, float* y,
                                                    int rows, int C, double eps) {
        int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
        int lane = threadIdx.x % 32;
        if (row >= rows) return;
        const float* xr = x + (long long) row * C;
        double mean, rstd;
        ln_stats(xr, C, lane, eps, &mean, &rstd);
        for (int c = lane; c < C; c += 32) {
          y[(long long) row * C + c] = (float) (((double) xr[c] - mean) * rstd * (double) gamma[c] + (double) beta[c]);
        }
      }

      // per row: dx = rstd * (d - mean(d) - xhat * mean(d * xhat)), d = dy * gamma (dx may be null);
      // terms: [rows, 2C] = (dy * xhat, dy): the row's share of dgamma, dbeta, summed over rows by sumRows
      extern "C" __global__ void layer_norm_backward(const float* x, const float* gamma, const float* dy, float* dx,
                                                     float* terms, int rows, int C, double eps) {
        int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
        int lane = threadIdx.x % 32;
        if (row >= rows) return;
        const float* xr = x + (long long) row * C;
        const float* g = dy + (long long) row * C;
        double mean, rstd;
        ln_stats(xr, C, lane, eps, &mean, &rstd);
        double md = 0.0, mdx = 0.0;
        for (int c = lane; c < C; c += 32) {
          double xh = ((double) xr[c] - mean) * rstd;
          double d = (double) g[c] * (double) gamma[c];
          md += d;
          mdx += d * xh;
          terms[(long long) row * 2 * C + c] = (float) ((double) g[c] * xh);
          terms[(long long) row * 2 * C + C + c] = g[c];
        }
        for (int o = 16; o > 0; o >>= 1) {
          md += __shfl_xor_sync(0xffffffffu, md, o);
          mdx += __shfl_xor_sync(0xffffffffu, mdx, o);
        }
        md /= C;
        mdx /= C;
        if (dx != 0) {
          for (int c = lane; c < C; c += 32) {
            double xh = ((double) xr[c] - mean) * rstd;
            double d = (double) g[c] * (double) gamma[c];
            dx[(long long) row * C + c] = (float) (rstd * (d - md - xh * mdx));
          }
        }
      }

      // qkv: [B, T, 3, H, d]; att row of query t, head h, batch b: softmax over u <= t of q_t . k_u * scale,
      // written to w[0..t] (shared memory of the calling warp)
      __device__ void att_row(const float* qkv, int b, int h, int t, int T, int H, int d, double scale, int lane,
                              double* w) {
        int C = H * d;
        const float* q = qkv + ((long long) (b * T + t) * 3 + 0) * C + h * d;
        double mx = -__longlong_as_double(0x7ff0000000000000LL);
        for (int u = lane; u <= t; u += 32) {
          const float* k = qkv + ((long long) (b * T + u) * 3 + 1) * C + h * d;
          double s = 0.0;
          for (int i = 0; i < d; i++) s += (double) q[i] * (double) k[i];
          s *= scale;
          w[u] = s;
          mx = fmax(mx, s);
        }
        for (int o = 16; o > 0; o >>= 1) mx = fmax(mx, __shfl_xor_sync(0xffffffffu, mx, o));
        double sum = 0.0;
        for (int u = lane; u <= t; u += 32) { double e = exp(w[u] - mx); w[u] = e; sum += e; }
        for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o);
        __syncwarp();
        for (int u = lane; u <= t; u += 32) w[u] /= sum;
        __syncwarp();
      }

      // y: [B, T, C]: y_t = sum over u <= t of att_tu v_u (u in order); one warp (block of 32) per (b, h, t);
      // att (may be null): [B, H, T, T] the weights, for backward
      extern "C" __global__ void attention_forward(const float* qkv, float* y, double* att, int B, int T, int H,
                                                   int d, double scale) {
        __shared__ double w[ATT_MAX_T];
        int t = blockIdx.x % T, h = (blockIdx.x / T) % H, b = blockIdx.x / (T * H);
        int lane = threadIdx.x;
        int C = H * d;
        att_row(qkv, b, h, t, T, H, d, scale, lane, w);
        for (int i = lane; i < d; i += 32) {
          double acc = 0.0;
          for (int u = 0; u <= t; u++) acc += w[u] * (double) qkv[((long long) (b * T + u) * 3 + 2) * C + h * d + i];
          y[(long long) (b * T + t) * C + h * d + i] = (float) acc;
        }
        if (att != 0) {
          double* a = att + ((long long) (b * H + h) * T + t) * T;
          for (int u = lane; u < T; u += 32) a[u] = u <= t ? w[u] : 0.0;
        }
      }

      // backward pass 1, one warp per (b, h, t): da_u = dy_t . v_u, dot = sum a_u da_u,
      // dz[b, h, t, u] = a_u (da_u - dot) * scale; dq_t[i] = sum over u <= t of dz_u k_u[i] (u in order)
      extern "C" __global__ void attention_backward_query(const float* qkv, const float* dy, const double* att,
                                                          double* dz, float* dqkv, int B, int T, int H, int d,
                                                          double scale) {
        __shared__ double z[ATT_MAX_T];
        int t = blockIdx.x % T, h = (blockIdx.x / T) % H, b = blockIdx.x / (T * H);
        int lane = threadIdx.x;
        int C = H * d;
        const double* a = att + ((long long) (b * H + h) * T + t) * T;
        const float* g = dy + (long long) (b * T + t) * C + h * d;
        double dot = 0.0;
        for (int u = lane; u <= t; u += 32) {
          const float* v = qkv + ((long long) (b * T + u) * 3 + 2) * C + h * d;
          double s = 0.0;
          for (int i = 0; i < d; i++) s += (double) g[i] * (double) v[i];
          z[u] = s;
          dot += a[u] * s;
        }
        for (int o = 16; o > 0; o >>= 1) dot += __shfl_xor_sync(0xffffffffu, dot, o);
        __syncwarp();
        double* zo = dz + ((long long) (b * H + h) * T + t) * T;
        for (int u = lane; u < T; u += 32) {
          double v = u <= t ? a[u] * (z[u] - dot) * scale : 0.0;
          z[u] = v;
          zo[u] = v;
        }
        __syncwarp();
        for (int i = lane; i < d; i += 32) {
          float acc = 0.0f;
          for (int u = 0; u <= t; u++) acc += (float) (z[u] * (double) qkv[((long long) (b * T + u) * 3 + 1) * C + h * d + i]);
          dqkv[((long long) (b * T + t) * 3 + 0) * C + h * d + i] = acc;
        }
      }

      // backward pass 2, one warp per (b, h, u): dk_u[i] = sum over t >= u of dz_tu q_t[i],
      // dv_u[i] = sum over t >= u of a_tu dy_t[i] (t in order, float sums as the host code)
      extern "C" __global__ void attention_backward_key(const float* qkv, const float* dy, const double* att,
                                                        const double* dz, float* dqkv, int B, int T, int H, int d) {
        int u = blockIdx.x % T, h = (blockIdx.x / T) % H, b = blockIdx.x / (T * H);
        int lane = threadIdx.x;
        int C = H * d;
        const double* a = att + (long long) (b * H + h) * T * T;
        const double* z = dz + (long long) (b * H + h) * T * T;
        for (int i = lane; i < d; i += 32) {
          float dk = 0.0f, dv = 0.0f;
          for (int t = u; t < T; t++) {
            dk += (float) (z[(long long) t * T + u] * (double) qkv[((long long) (b * T + t) * 3 + 0) * C + h * d + i]);
            dv += (float) (a[(long long) t * T + u] * (double) dy[(long long) (b * T + t) * C + h * d + i]);
          }
          dqkv[((long long) (b * T + u) * 3 + 1) * C + h * d + i] = dk;
          dqkv[((long long) (b * T + u) * 3 + 2) * C + h * d + i] = dv;
        }
      }
      """;
}
