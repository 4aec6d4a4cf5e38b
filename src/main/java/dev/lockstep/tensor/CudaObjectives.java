package dev.lockstep.tensor;

import static dev.lockstep.tensor.CudaErrors.cuda;

import dev.lockstep.tensor.CudaKernels.Name;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * {@link ObjectiveKernels} on a {@link CudaBackend}: launches {@link CudaObjectiveKernels} on the backend's
 * stream. Device memory: per-row losses (double) and hits (int) for {@code maxRows} rows, the [loss, hits]
 * accumulator and the l2/l1 partials; a 16-byte pinned buffer for {@link #readAndClear}. All of it is freed with
 * the backend. Class weights are uploaded once per weights array.
 */
final class CudaObjectives implements ObjectiveKernels {
  private final CudaBackend be;
  private final int maxRows;
  private final long rowLoss; // double[maxRows]
  private final long rowHit; // int[maxRows]
  private final long accumulator; // double[2]: loss sum, hits
  private final long partials; // double[SUM_SQUARES_MAX_BLOCKS]: regularize_partial's block sums
  private final Pointer resultHost; // pinned double[2]
  private float[] weightsUploadedFrom;
  private CudaBuf weights;

  CudaObjectives(CudaBackend be, int maxRows) {
    if (maxRows < 1) {
      throw new IllegalArgumentException("objective kernels for " + maxRows + " rows: need at least 1");
    }
    this.be = be;
    this.maxRows = maxRows;
    this.rowLoss = be.allocateBytes((long) maxRows * Double.BYTES, "objective row losses");
    this.rowHit = be.allocateBytes((long) maxRows * Integer.BYTES, "objective row hits");
    this.accumulator = be.allocateBytes(2L * Double.BYTES, "objective accumulator");
    this.partials = be.allocateBytes((long) CudaKernels.SUM_SQUARES_MAX_BLOCKS * Double.BYTES, "l2/l1 partials");
    this.resultHost = be.allocatePinned(2L * Double.BYTES, "objective result");
    cuda(cudart.cudaMemsetAsync(new CudaPointer(accumulator), 0, 2L * Double.BYTES, be.stream()),
        "cudaMemsetAsync(objective accumulator)");
  }

  @Override
  public void rows(Spec spec, Buf output, Buf targets, boolean classIds, Hits hits, int rows, int cols,
                   float gradScale, Buf grad) {
    if (rows < 0 || cols < 1 || rows > maxRows) {
      throw new IllegalArgumentException("objective kernels: [" + rows + ", " + cols + "] outside [0.." + maxRows
          + ", >= 1]");
    }
    long n = (long) rows * cols;
    CudaBuf out = be.own("objective output", output, n);
    CudaBuf tgt = be.own("objective targets", targets, classIds ? rows : n);
    CudaBuf g = be.own("objective gradient", grad, n);
    if (classIds && hits == Hits.ARGMAX_VALUES || !classIds && hits == Hits.ARGMAX_CLASS) {
      throw new IllegalArgumentException("objective kernels: hits " + hits + " with " + (classIds ? "class ids"
          : "value targets"));
    }
    if (rows == 0) {
      return;
    }
    long weightsAddress = spec.classWeights() == null ? 0 : weightsOnDevice(spec.classWeights(), cols).address();
    be.launcher().i32(spec.kind().ordinal()).ptr(out.address()).ptr(tgt.address()).i32(classIds ? 1 : 0)
        .ptr(weightsAddress).f32(spec.smoothing()).f32(spec.delta()).i32(spec.squared() ? 1 : 0)
        .i32(hits.ordinal()).i32(rows).i32(cols).f32(gradScale).ptr(g.address()).ptr(rowLoss).ptr(rowHit)
        .launch(be.kernels().get(Name.OBJECTIVE_ROWS), Name.OBJECTIVE_ROWS.cName,
            (rows + CudaObjectiveKernels.ROWS_PER_BLOCK - 1) / CudaObjectiveKernels.ROWS_PER_BLOCK, 1,
            CudaKernels.BLOCK, 1, be.stream());
    be.launcher().ptr(rowLoss).ptr(rowHit).i32(rows).ptr(accumulator)
        .launch(be.kernels().get(Name.OBJECTIVE_ACCUMULATE), Name.OBJECTIVE_ACCUMULATE.cName, 1, 1,
            CudaKernels.BLOCK, 1, be.stream());
  }

  @Override
  public void regularize(Buf w, Buf g, float l2, float l1, boolean addGradient, double lossScale) {
    long n = w.length();
    CudaBuf wb = be.own("regularize weights", w, n);
    CudaBuf gb = be.own("regularize gradient", g, n);
    if (g.length() != n) {
      throw new IllegalArgumentException("regularize: weights of " + n + " floats, gradient of " + g.length());
    }
    if (n == 0) {
      return;
    }
    int blocks = (int) Math.min((n + CudaKernels.BLOCK - 1) / CudaKernels.BLOCK, CudaKernels.SUM_SQUARES_MAX_BLOCKS);
    be.launcher().ptr(wb.address()).ptr(gb.address()).i64(n).f32(l2).f32(l1).i32(addGradient ? 1 : 0).ptr(partials)
        .launch(be.kernels().get(Name.REGULARIZE_PARTIAL), Name.REGULARIZE_PARTIAL.cName, blocks, 1,
            CudaKernels.BLOCK, 1, be.stream());
    be.launcher().ptr(partials).i32(blocks).f64(lossScale).ptr(accumulator)
        .launch(be.kernels().get(Name.REGULARIZE_ACCUMULATE), Name.REGULARIZE_ACCUMULATE.cName, 1, 1,
            CudaKernels.BLOCK, 1, be.stream());
  }

  @Override
  public double[] readAndClear() {
    cuda(cudart.cudaMemcpyAsync(resultHost, new CudaPointer(accumulator), 2L * Double.BYTES,
        cudart.cudaMemcpyDeviceToHost, be.stream()), "cudaMemcpyAsync(objective accumulator)");
    cuda(cudart.cudaMemsetAsync(new CudaPointer(accumulator), 0, 2L * Double.BYTES, be.stream()),
        "cudaMemsetAsync(objective accumulator)");
    be.waitForStream("objective accumulator");
    DoublePointer d = new DoublePointer(resultHost);
    return new double[] {d.get(0), d.get(1)};
  }

  private CudaBuf weightsOnDevice(float[] w, int cols) {
    if (w.length != cols) {
      throw new IllegalArgumentException("objective.weights: " + w.length + " class weights for an output of " + cols
          + " classes");
    }
    if (weightsUploadedFrom != w) {
      weights = be.allocate(cols);
      be.upload(w, 0, weights);
      weightsUploadedFrom = w;
    }
    return weights;
  }
}
