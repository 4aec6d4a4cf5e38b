package dev.lockstep.checkpointing;

import dev.lockstep.tensor.Activation;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;

/** The real CPU backend, counting allocations, to prove the executor reuses its buffers. */
final class CountingBackend implements Backend {
  private final Backend inner;
  int allocations;
  long floatsAllocated;

  CountingBackend(Backend inner) {
    this.inner = inner;
  }

  @Override public String name() { return inner.name(); }
  @Override public Buf allocate(long length) {
    allocations++;
    floatsAllocated += length;
    return inner.allocate(length);
  }
  @Override public void upload(float[] src, int srcOffset, Buf dst) { inner.upload(src, srcOffset, dst); }
  @Override public void download(Buf src, float[] dst, int dstOffset) { inner.download(src, dst, dstOffset); }
  @Override public void copy(Buf src, Buf dst) { inner.copy(src, dst); }
  @Override public void fill(Buf dst, float value) { inner.fill(dst, value); }
  @Override public void gemm(boolean ta, boolean tb, int m, int n, int k, float alpha, Buf a, Buf b, float beta, Buf c) {
    inner.gemm(ta, tb, m, n, k, alpha, a, b, beta, c);
  }
  @Override public void addRowVector(Buf y, Buf bias, int rows, int cols) { inner.addRowVector(y, bias, rows, cols); }
  @Override public void sumRows(Buf x, Buf out, int rows, int cols, float beta) { inner.sumRows(x, out, rows, cols, beta); }
  @Override public void activation(Activation f, Buf x, Buf y) { inner.activation(f, x, y); }
  @Override public void activationBackward(Activation f, Buf x, Buf y, Buf dy, Buf dx) {
    inner.activationBackward(f, x, y, dy, dx);
  }
  @Override public void axpy(float alpha, Buf x, Buf y) { inner.axpy(alpha, x, y); }
  @Override public void scale(Buf x, float alpha) { inner.scale(x, alpha); }
  @Override public double sumOfSquares(Buf x) { return inner.sumOfSquares(x); }
  @Override public boolean allFinite(Buf x) { return inner.allFinite(x); }
  @Override public void sgdStep(Buf w, Buf g, Buf m, float lr, float momentum, boolean nesterov, float wd) {
    inner.sgdStep(w, g, m, lr, momentum, nesterov, wd);
  }
  @Override public void adamStep(Buf w, Buf g, Buf m, Buf v, float lr, float b1, float b2, float eps, float wd,
                                 boolean decoupled, long t) {
    inner.adamStep(w, g, m, v, lr, b1, b2, eps, wd, decoupled, t);
  }
}
