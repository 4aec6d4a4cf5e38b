package dev.lockstep.nn;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Batch normalisation per channel: x: [B, C, S] (S = H·W for images, 1 after a linear layer) → y = γ·x̂ + β with
 * x̂ = (x − μ)/√(σ² + ε), ε = 1e-5. Parameters: γ [C] (init 1), then β [C] (init 0). Buffers (not trained): running
 * mean [C] (init 0), then running variance [C] (init 1), updated once per training step as
 * r ← (1 − momentum)·r + momentum·batch statistic (variance unbiased), as PyTorch does; evaluation normalises with
 * them.
 *
 * <p><b>Across ranks.</b> {@code sync: true} (SyncBatchNorm): μ and σ² are over the global batch — per-channel
 * sums allreduced in forward, and the two sums backward needs allreduced there too — so N ranks with batch B train
 * exactly like one rank with batch N·B. Local statistics (the default): each rank normalises with its own batch's
 * μ, σ² (no collective in the pass itself); to keep the replicas identical the running statistics are updated with
 * the mean over ranks of each rank's (μ, unbiased σ²), one small allreduce per step, whose result is the same on
 * every rank.
 */
public final class BatchNorm implements Layer {
  private static final double EPS = 1e-5;
  private final int channels; // C
  private final int spatial; // S
  private final boolean sync;
  private final double momentum;
  private Buf params; // [2C]: γ, β
  private Buf grads; // [2C]
  private Buf buffers; // [2C]: running mean, running variance
  private Buf gradStaging; // [2C]
  private PassContext pass = PassContext.EVAL;

  // Per pass, on the host: γ, β, the statistics used and the affine map they give
  private final float[] host; // [2C]
  private final double[] mean, rstd; // [C]
  private final double[] s1, s2; // [C] channel sums
  private final float[] scale, shift, scaleB; // [C]
  private double count; // rows·S the statistics are over (all ranks' with sync)

  public BatchNorm(int channels, int spatial, boolean sync, double momentum) {
    if (channels <= 0 || spatial <= 0) {
      throw new IllegalArgumentException("batch_norm needs positive sizes, got C=" + channels + " S=" + spatial);
    }
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException("batch_norm momentum must be in [0, 1], got " + momentum);
    }
    this.channels = channels;
    this.spatial = spatial;
    this.sync = sync;
    this.momentum = momentum;
    host = new float[2 * channels];
    mean = new double[channels];
    rstd = new double[channels];
    s1 = new double[channels];
    s2 = new double[channels];
    scale = new float[channels];
    shift = new float[channels];
    scaleB = new float[channels];
  }

  public int channels() {
    return channels;
  }

  public boolean sync() {
    return sync;
  }

  @Override
  public boolean replayable(Backend be) {
    return false; // the channel statistics come back to the host every step (and across ranks)
  }

  @Override
  public String describe() {
    return "batch_norm(" + channels + (spatial > 1 ? "×" + spatial : "") + (sync ? ", sync" : "") + ")";
  }

  @Override
  public int inFeatures() {
    return channels * spatial;
  }

  @Override
  public int outFeatures() {
    return channels * spatial;
  }

  @Override
  public int parameterCount() {
    return 2 * channels;
  }

  @Override
  public int bufferCount() {
    return 2 * channels;
  }

  @Override
  public void bind(Buf params, Buf grads) {
    this.params = params;
    this.grads = grads;
  }

  @Override
  public void bindBuffers(Buf buffers) {
    this.buffers = buffers;
  }

  @Override
  public void initialize(float[] dst, int offset, SplittableRandom rng) {
    Arrays.fill(dst, offset, offset + channels, 1f);
    Arrays.fill(dst, offset + channels, offset + 2 * channels, 0f);
  }

  @Override
  public void initializeBuffers(float[] dst, int offset) {
    Arrays.fill(dst, offset, offset + channels, 0f);
    Arrays.fill(dst, offset + channels, offset + 2 * channels, 1f);
  }

  @Override
  public void setPass(PassContext pass) {
    this.pass = pass;
  }

  @Override
  public void forward(Backend be, Buf x, Buf y, int batch) {
    // x: [B, C, S] → y: [B, C, S] = scale[c]·x + shift[c], scale = γ·rstd, shift = β − μ·γ·rstd
    if (pass.training()) {
      batchStatistics(be, x, batch);
    } else {
      runningStatistics(be);
    }
    be.download(params, host, 0);
    for (int c = 0; c < channels; c++) {
      scale[c] = (float) (host[c] * rstd[c]);
      shift[c] = (float) (host[channels + c] - mean[c] * host[c] * rstd[c]);
    }
    be.channelAffine(x, scale, null, null, shift, y, batch, channels, spatial);
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    // Local sums Σdy, Σdy·x per channel; Σdy·x̂ = rstd·(Σdy·x − μ·Σdy). dβ += Σdy; dγ += Σdy·x̂ (this rank's rows:
    // the gradient allreduce adds the others'). dx = γ·rstd·(dy − Σdy/M − x̂·Σdy·x̂/M) over the normalising batch.
    be.channelSums(dy, x, batch, channels, spatial, s1, s2);
    float[] dParams = new float[2 * channels];
    for (int c = 0; c < channels; c++) {
      dParams[c] = (float) (rstd[c] * (s2[c] - mean[c] * s1[c]));
      dParams[channels + c] = (float) s1[c];
    }
    if (gradStaging == null) {
      gradStaging = be.allocate(2L * channels);
    }
    be.upload(dParams, 0, gradStaging);
    be.axpy(1f, gradStaging, grads);
    if (dx == null) {
      return;
    }
    if (!pass.training()) { // statistics were constants
      be.channelAffine(dy, scale, null, null, new float[channels], dx, batch, channels, spatial);
      return;
    }
    if (sync && pass.ranks().ranks() > 1) {
      double[] both = new double[2 * channels];
      System.arraycopy(s1, 0, both, 0, channels);
      System.arraycopy(s2, 0, both, channels, channels);
      pass.ranks().sum(both);
      System.arraycopy(both, 0, s1, 0, channels);
      System.arraycopy(both, channels, s2, 0, channels);
    }
    for (int c = 0; c < channels; c++) {
      double g = host[c] * rstd[c];
      double dxhat = rstd[c] * (s2[c] - mean[c] * s1[c]) / count; // mean of dy·x̂
      double dmean = s1[c] / count; // mean of dy
      scale[c] = (float) g;
      scaleB[c] = (float) (-g * rstd[c] * dxhat);
      shift[c] = (float) (-g * dmean + g * rstd[c] * dxhat * mean[c]);
    }
    be.channelAffine(dy, scale, x, scaleB, shift, dx, batch, channels, spatial);
  }

  /** μ and rstd from the batch (the global one with sync); then, once per step, the running statistics. */
  private void batchStatistics(Backend be, Buf x, int batch) {
    be.channelSums(x, x, batch, channels, spatial, s1, s2);
    count = (double) batch * spatial;
    if (sync && pass.ranks().ranks() > 1) {
      double[] all = new double[2 * channels + 1];
      System.arraycopy(s1, 0, all, 0, channels);
      System.arraycopy(s2, 0, all, channels, channels);
      all[2 * channels] = count;
      pass.ranks().sum(all);
      System.arraycopy(all, 0, s1, 0, channels);
      System.arraycopy(all, channels, s2, 0, channels);
      count = all[2 * channels];
    }
    double[] unbiased = new double[channels];
    for (int c = 0; c < channels; c++) {
      mean[c] = s1[c] / count;
      double var = Math.max(0, s2[c] / count - mean[c] * mean[c]);
      rstd[c] = 1.0 / Math.sqrt(var + EPS);
      unbiased[c] = count > 1 ? var * count / (count - 1) : var;
    }
    if (!pass.recompute()) {
      updateRunning(be, unbiased);
    }
  }

  private void updateRunning(Backend be, double[] unbiased) {
    double[] stat = new double[2 * channels];
    System.arraycopy(mean, 0, stat, 0, channels);
    System.arraycopy(unbiased, 0, stat, channels, channels);
    int ranks = pass.ranks().ranks();
    if (!sync && ranks > 1) { // every rank's own statistics, averaged: the same running values on every rank
      pass.ranks().sum(stat);
      for (int i = 0; i < stat.length; i++) {
        stat[i] /= ranks;
      }
    }
    float[] running = new float[2 * channels];
    be.download(buffers, running, 0);
    for (int i = 0; i < running.length; i++) {
      running[i] = (float) ((1 - momentum) * running[i] + momentum * stat[i]);
    }
    be.upload(running, 0, buffers);
  }

  private void runningStatistics(Backend be) {
    float[] running = new float[2 * channels];
    be.download(buffers, running, 0);
    for (int c = 0; c < channels; c++) {
      mean[c] = running[c];
      rstd[c] = 1.0 / Math.sqrt(running[channels + c] + EPS);
    }
  }
}
