package dev.lockstep.tensor;

import static dev.lockstep.tensor.CudaErrors.cuda;

import dev.lockstep.tensor.CudaKernels.Name;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The image ops of {@link Backend} on a {@link CudaBackend}: launches {@link CudaImageKernels} on its stream.
 * channelSums and channelAffine exchange small per-channel arrays with the host (a download, an upload), so they
 * wait for the stream; the rest are asynchronous like the other kernels.
 */
final class CudaImages {
  private final CudaBackend be;
  private final int maxBlocks;
  private CudaBuf params; // channelAffine's [scaleA, scaleB, shift], grown on demand
  private float[] paramsHost = new float[0];
  private long sumsDevice; // channelSums' 2·C doubles, grown on demand
  private Pointer sumsHost;
  private int sumsChannels;

  CudaImages(CudaBackend be, int maxBlocks) {
    this.be = be;
    this.maxBlocks = maxBlocks;
  }

  void im2col(Buf x, Buf cols, int batch, Window2d w) {
    CudaBuf xb = be.own("im2col x", x, (long) batch * w.inSize());
    CudaBuf cb = be.own("im2col cols", cols, (long) batch * w.outPositions() * w.patchSize());
    window(Name.IM2COL, (long) batch * w.outPositions() * w.patchSize(), xb.address(), cb.address(), batch, w);
  }

  void col2im(Buf cols, Buf dx, int batch, Window2d w) {
    CudaBuf cb = be.own("col2im cols", cols, (long) batch * w.outPositions() * w.patchSize());
    CudaBuf db = be.own("col2im dx", dx, (long) batch * w.inSize());
    window(Name.COL2IM, (long) batch * w.inSize(), cb.address(), db.address(), batch, w);
  }

  private void window(Name kernel, long n, long from, long to, int batch, Window2d w) {
    if (n == 0) {
      return;
    }
    be.launcher().ptr(from).ptr(to).i32(batch).i32(w.channels()).i32(w.height()).i32(w.width()).i32(w.kernel())
        .i32(w.stride()).i32(w.padding()).i32(w.outHeight()).i32(w.outWidth())
        .launch(fn(kernel), kernel.cName, blocks(n), 1, CudaKernels.BLOCK, 1, be.stream());
  }

  void pool2d(boolean avg, Buf x, Buf y, int batch, Window2d w) {
    CudaBuf xb = be.own("pool2d x", x, (long) batch * w.inSize());
    CudaBuf yb = be.own("pool2d y", y, (long) batch * w.channels() * w.outPositions());
    long n = (long) batch * w.channels() * w.outPositions();
    if (n == 0) {
      return;
    }
    be.launcher().ptr(xb.address()).ptr(yb.address()).i32(batch * w.channels()).i32(w.height()).i32(w.width())
        .i32(w.kernel()).i32(w.stride()).i32(w.padding()).i32(w.outHeight()).i32(w.outWidth()).i32(avg ? 1 : 0)
        .f32(1f / (w.kernel() * w.kernel()))
        .launch(fn(Name.POOL2D), Name.POOL2D.cName, blocks(n), 1, CudaKernels.BLOCK, 1, be.stream());
  }

  void pool2dBackward(boolean avg, Buf x, Buf dy, Buf dx, int batch, Window2d w) {
    CudaBuf xb = be.own("pool2dBackward x", x, (long) batch * w.inSize());
    CudaBuf gb = be.own("pool2dBackward dy", dy, (long) batch * w.channels() * w.outPositions());
    CudaBuf db = be.own("pool2dBackward dx", dx, (long) batch * w.inSize());
    long n = (long) batch * w.inSize();
    if (n == 0) {
      return;
    }
    be.launcher().ptr(xb.address()).ptr(gb.address()).ptr(db.address()).i32(batch * w.channels()).i32(w.height())
        .i32(w.width()).i32(w.kernel()).i32(w.stride()).i32(w.padding()).i32(w.outHeight()).i32(w.outWidth())
        .i32(avg ? 1 : 0).f32(1f / (w.kernel() * w.kernel()))
        .launch(fn(Name.POOL2D_BACKWARD), Name.POOL2D_BACKWARD.cName, blocks(n), 1, CudaKernels.BLOCK, 1,
            be.stream());
  }

  void dropout(Buf x, Buf y, int rows, int cols, long key, long firstRow, float rate) {
    if (!(rate >= 0f && rate < 1f)) {
      throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
    }
    long n = (long) rows * cols;
    CudaBuf xb = be.own("dropout x", x, n);
    CudaBuf yb = be.own("dropout y", y, n);
    if (n == 0) {
      return;
    }
    be.launcher().ptr(xb.address()).ptr(yb.address()).i64(n).i32(cols).i64(key).i64(firstRow).f32(rate)
        .f32(1f / (1f - rate)) // the CPU's keepScale, same float
        .launch(fn(Name.DROPOUT), Name.DROPOUT.cName, blocks(n), 1, CudaKernels.BLOCK, 1, be.stream());
  }

  void channelSums(Buf a, Buf b, int batch, int channels, int spatial, double[] sumA, double[] sumAB) {
    long n = (long) batch * channels * spatial;
    CudaBuf ab = be.own("channelSums a", a, n);
    CudaBuf bb = be.own("channelSums b", b, n);
    if (sumA.length < channels || sumAB.length < channels) {
      throw new IllegalArgumentException("channelSums: " + channels + " channels, result arrays of " + sumA.length
          + " and " + sumAB.length);
    }
    if (channels == 0) {
      return;
    }
    if (channels > sumsChannels) {
      sumsDevice = be.allocateBytes(2L * channels * Double.BYTES, "channelSums sums");
      sumsHost = be.allocatePinned(2L * channels * Double.BYTES, "channelSums sums");
      sumsChannels = channels;
    }
    be.launcher().ptr(ab.address()).ptr(bb.address()).ptr(sumsDevice).i32(batch).i32(channels).i32(spatial)
        .launch(fn(Name.CHANNEL_SUMS), Name.CHANNEL_SUMS.cName, channels, 1, CudaKernels.BLOCK, 1, be.stream());
    cuda(cudart.cudaMemcpyAsync(sumsHost, new CudaPointer(sumsDevice), 2L * channels * Double.BYTES,
        cudart.cudaMemcpyDeviceToHost, be.stream()), "cudaMemcpyAsync(channelSums)");
    be.waitForStream("channelSums");
    DoublePointer sums = new DoublePointer(sumsHost);
    sums.get(sumA, 0, channels);
    sums.position(channels).get(sumAB, 0, channels);
  }

  void channelAffine(Buf a, float[] scaleA, Buf b, float[] scaleB, float[] shift, Buf out, int batch, int channels,
                     int spatial) {
    long n = (long) batch * channels * spatial;
    CudaBuf ab = be.own("channelAffine a", a, n);
    CudaBuf ob = be.own("channelAffine out", out, n);
    long bAddress = b == null ? 0 : be.own("channelAffine b", b, n).address();
    if (n == 0) {
      return;
    }
    if (paramsHost.length < 3 * channels) {
      paramsHost = new float[3 * channels];
      params = be.allocate(3L * channels);
    }
    System.arraycopy(scaleA, 0, paramsHost, 0, channels);
    if (b != null) {
      System.arraycopy(scaleB, 0, paramsHost, channels, channels);
    }
    System.arraycopy(shift, 0, paramsHost, 2 * channels, channels);
    // params is reused by the next call: the upload waits for the stream, so this launch has read it by then
    be.upload(paramsHost, 0, params.view(0, 3L * channels));
    be.launcher().ptr(ab.address()).ptr(bAddress).ptr(params.address()).ptr(ob.address()).i64(n).i32(channels)
        .i32(spatial)
        .launch(fn(Name.CHANNEL_AFFINE), Name.CHANNEL_AFFINE.cName, blocks(n), 1, CudaKernels.BLOCK, 1, be.stream());
  }

  private org.bytedeco.cuda.cudart.CUfunc_st fn(Name name) {
    return be.kernels().get(name);
  }

  private int blocks(long n) {
    return (int) Math.max(1, Math.min((n + CudaKernels.BLOCK - 1) / CudaKernels.BLOCK, maxBlocks));
  }
}
