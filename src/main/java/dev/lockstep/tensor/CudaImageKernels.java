package dev.lockstep.tensor;

/**
 * CUDA C source of the image ops ({@link Backend#im2col} ... {@link Backend#channelAffine} on {@link CudaBackend}),
 * appended to {@link CudaKernels#SOURCE} in the same NVRTC module. Each output element is written by one thread,
 * no atomics: col2im and the pooling backward gather per input element, adding their terms in the order the CPU
 * loops ({@link CpuImageOps}) scatter them, so float results match the CPU bit for bit; channel sums reduce per
 * channel in double in a fixed order. Products that the CPU rounds separately use __fmul_rn/__fadd_rn so that
 * nvcc does not contract them into FMAs. Dropout's hash is {@link DropoutMask}'s, ported bit for bit.
 */
final class CudaImageKernels {
  private CudaImageKernels() {}

  static final String SOURCE = """
      // --- image ops (CudaImageKernels); x: [B, C, H, W], window k, stride s, padding p, output Ho x Wo ---

      // cols: [B, C*k*k, Ho*Wo]; row (c, i, j), column (oh, ow) holds x[c, oh*s - p + i, ow*s - p + j] or 0
      extern "C" __global__ void im2col_f32(const float* x, float* cols, int B, int C, int H, int W, int k, int s,
                                            int p, int Ho, int Wo) {
        long long n = (long long) B * C * k * k * Ho * Wo;
        for (long long e = first_index(); e < n; e += grid_stride()) {
          long long t = e;
          int ow = (int) (t % Wo); t /= Wo;
          int oh = (int) (t % Ho); t /= Ho;
          int j = (int) (t % k); t /= k;
          int i = (int) (t % k); t /= k; // t = image * C + channel
          int ih = oh * s - p + i, iw = ow * s - p + j;
          cols[e] = ih >= 0 && ih < H && iw >= 0 && iw < W ? x[(t * H + ih) * W + iw] : 0.0f;
        }
      }

      // dx[n, c, ih, iw] = sum of the cols entries that im2col copied it to, in (i, j) order (the CPU's order)
      extern "C" __global__ void col2im_f32(const float* cols, float* dx, int B, int C, int H, int W, int k, int s,
                                            int p, int Ho, int Wo) {
        long long n = (long long) B * C * H * W;
        for (long long e = first_index(); e < n; e += grid_stride()) {
          long long t = e;
          int iw = (int) (t % W); t /= W;
          int ih = (int) (t % H); t /= H; // t = image * C + channel
          const float* plane = cols + t * k * k * Ho * Wo;
          float acc = 0.0f;
          for (int i = 0; i < k; i++) {
            int a = ih + p - i; // = oh * s
            if (a < 0 || a % s != 0 || a / s >= Ho) continue;
            int oh = a / s;
            for (int j = 0; j < k; j++) {
              int b = iw + p - j; // = ow * s
              if (b < 0 || b % s != 0 || b / s >= Wo) continue;
              acc += plane[((long long) (i * k + j) * Ho + oh) * Wo + b / s];
            }
          }
          dx[e] = acc;
        }
      }

      // Java's Math.max: NaN if either is NaN
      __device__ __forceinline__ float java_max(float a, float b) {
        return (a != a || b != b) ? __int_as_float(0x7fc00000) : fmaxf(a, b);
      }

      // y: [B, C, Ho, Wo]; max, or the window's sum (padding counting as 0) times inv = 1/(k*k)
      extern "C" __global__ void pool2d_f32(const float* x, float* y, int planes, int H, int W, int k, int s, int p,
                                            int Ho, int Wo, int avg, float inv) {
        long long n = (long long) planes * Ho * Wo;
        for (long long e = first_index(); e < n; e += grid_stride()) {
          int ow = (int) (e % Wo), oh = (int) ((e / Wo) % Ho);
          const float* plane = x + (e / ((long long) Ho * Wo)) * H * W;
          float acc = avg ? 0.0f : -__int_as_float(0x7f800000);
          for (int i = 0; i < k; i++) {
            int ih = oh * s - p + i;
            if (ih < 0 || ih >= H) continue;
            for (int j = 0; j < k; j++) {
              int iw = ow * s - p + j;
              if (iw < 0 || iw >= W) continue;
              float v = plane[ih * W + iw];
              acc = avg ? acc + v : java_max(acc, v);
            }
          }
          y[e] = avg ? __fmul_rn(acc, inv) : acc;
        }
      }

      // index in the plane of the first maximum of window (oh, ow) over its in-image elements, -1 if none
      __device__ __forceinline__ int pool_argmax(const float* plane, int H, int W, int k, int s, int p, int oh,
                                                 int ow) {
        int best = -1;
        float max = 0.0f;
        for (int i = 0; i < k; i++) {
          int ih = oh * s - p + i;
          if (ih < 0 || ih >= H) continue;
          for (int j = 0; j < k; j++) {
            int iw = ow * s - p + j;
            if (iw < 0 || iw >= W) continue;
            float v = plane[ih * W + iw];
            if (best < 0 || v > max) { best = ih * W + iw; max = v; }
          }
        }
        return best;
      }

      // dx: [B, C, H, W]: per input element, the dy of every window holding it, windows in (oh, ow) order (the
      // CPU's): all of them times inv for avg, those whose first maximum it is for max
      extern "C" __global__ void pool2d_backward_f32(const float* x, const float* dy, float* dx, int planes, int H,
                                                     int W, int k, int s, int p, int Ho, int Wo, int avg,
                                                     float inv) {
        long long n = (long long) planes * H * W;
        for (long long e = first_index(); e < n; e += grid_stride()) {
          int iw = (int) (e % W), ih = (int) ((e / W) % H), here = ih * W + iw;
          long long pl = e / ((long long) H * W);
          const float* plane = x + pl * H * W;
          const float* g = dy + pl * Ho * Wo;
          float acc = 0.0f;
          for (int oh = 0; oh < Ho; oh++) {
            int i = ih + p - oh * s;
            if (i < 0) break;
            if (i >= k) continue;
            for (int ow = 0; ow < Wo; ow++) {
              int j = iw + p - ow * s;
              if (j < 0) break;
              if (j >= k) continue;
              if (avg) acc = __fadd_rn(acc, __fmul_rn(g[oh * Wo + ow], inv));
              else if (pool_argmax(plane, H, W, k, s, p, oh, ow) == here) acc += g[oh * Wo + ow];
            }
          }
          dx[e] = acc;
        }
      }

      // DropoutMask.mix: SplitMix64's finaliser (host too: a CPU-side test runs it against the Java code)
      __host__ __device__ __forceinline__ unsigned long long dropout_mix(unsigned long long z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
      }

      // DropoutMask.kept: element index = global row * cols + col survives with probability 1 - rate
      __host__ __device__ __forceinline__ bool dropout_kept(unsigned long long key, unsigned long long index,
                                                            float rate) {
        unsigned long long z = dropout_mix(key + index * 0x9e3779b97f4a7c15ULL);
        float u = (float) (z >> 40) * 5.9604644775390625e-08f; // 24 uniform bits in [0, 1): 2^-24 exactly
        return u >= rate;
      }

      // y: [rows, cols] = x * keepScale where dropout_kept(key, (firstRow + r) * cols + c, rate), else 0
      extern "C" __global__ void dropout_f32(const float* x, float* y, long long n, int cols,
                                             unsigned long long key, long long firstRow, float rate,
                                             float keepScale) {
        unsigned long long base = (unsigned long long) firstRow * (unsigned long long) cols;
        for (long long e = first_index(); e < n; e += grid_stride()) {
          y[e] = dropout_kept(key, base + (unsigned long long) e, rate) ? __fmul_rn(x[e], keepScale) : 0.0f;
        }
      }

      // one block (RED_THREADS) per channel c of a, b: [B, C, S]: sums[c] = sum a, sums[C + c] = sum a*b, in
      // double; each thread strides the channel's B*S elements, then a fixed tree adds the threads' parts
      extern "C" __global__ void channel_sums(const float* a, const float* b, double* sums, int B, int C, int S) {
        __shared__ double sa[RED_THREADS];
        __shared__ double sab[RED_THREADS];
        int c = blockIdx.x;
        double x = 0.0, xy = 0.0;
        long long n = (long long) B * S;
        for (long long e = threadIdx.x; e < n; e += blockDim.x) {
          long long at = ((e / S) * C + c) * S + e % S;
          double v = (double) a[at];
          x += v;
          xy += v * (double) b[at];
        }
        sa[threadIdx.x] = x;
        sab[threadIdx.x] = xy;
        __syncthreads();
        for (int half = RED_THREADS / 2; half > 0; half >>= 1) {
          if (threadIdx.x < half) {
            sa[threadIdx.x] += sa[threadIdx.x + half];
            sab[threadIdx.x] += sab[threadIdx.x + half];
          }
          __syncthreads();
        }
        if (threadIdx.x == 0) { sums[c] = sa[0]; sums[C + c] = sab[0]; }
      }

      // out = scaleA[c]*a + scaleB[c]*b + shift[c] per channel of [B, C, S], rounded as the CPU does (no FMA);
      // params: [scaleA C, scaleB C, shift C]; b may be null (then scaleB is unused)
      extern "C" __global__ void channel_affine(const float* a, const float* b, const float* params, float* out,
                                                long long n, int C, int S) {
        for (long long e = first_index(); e < n; e += grid_stride()) {
          int c = (int) ((e / S) % C);
          float v = __fmul_rn(params[c], a[e]);
          if (b != 0) v = __fadd_rn(v, __fmul_rn(params[C + c], b[e]));
          out[e] = __fadd_rn(v, params[2 * C + c]);
        }
      }
      """;
}
