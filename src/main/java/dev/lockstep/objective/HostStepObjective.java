package dev.lockstep.objective;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.List;

/**
 * The step objective on the host: downloads the output, runs the {@link Objective}'s host code, uploads the
 * gradient. With the CPU backend the copies are memory copies of [rows, cols] floats per step; the l2/l1 terms copy
 * the weights and gradients (only when a coefficient is set).
 */
public final class HostStepObjective implements StepObjective {
  private final Objective objective;
  private final Backend backend;
  private final HostCorrect scoring;
  private final float[] out;
  private final float[] dOut;
  private Targets staged;
  private float[] weights;
  private float[] grads;
  private double lossSum;
  private long correct;

  /** {@code maxElements}: the largest rows · cols a step passes. */
  public HostStepObjective(Objective objective, Backend backend, HostCorrect scoring, int maxElements) {
    this.objective = objective;
    this.backend = backend;
    this.scoring = scoring;
    this.out = new float[maxElements];
    this.dOut = new float[maxElements];
  }

  @Override
  public void stage(Targets targets, int rows, int cols) {
    staged = targets; // the objective checks them as it computes
  }

  @Override
  public void launch(Buf output, int rows, int cols, Buf grad, float gradScale) {
    long n = (long) rows * cols;
    backend.download(output.view(0, n), out, 0);
    lossSum += objective.lossAndGradient(out, staged, rows, cols, dOut, gradScale);
    correct += scoring.correct(out, staged, rows, cols);
    backend.upload(dOut, 0, grad.view(0, n));
  }

  @Override
  public void regularize(Regularization reg, List<Regularization.Slice> slices, Buf params, Buf gradBuf, int rows) {
    if (!reg.active()) {
      return;
    }
    int length = Math.toIntExact(params.length());
    if (weights == null) {
      weights = new float[length];
      grads = new float[length];
    }
    backend.download(params, weights, 0);
    backend.download(gradBuf, grads, 0);
    lossSum += reg.addGradient(weights, grads, slices) * rows;
    backend.upload(grads, 0, gradBuf);
  }

  @Override
  public double[] take() {
    double[] figures = {lossSum, correct};
    lossSum = 0;
    correct = 0;
    return figures;
  }

  @Override
  public boolean onDevice() {
    return false;
  }
}
