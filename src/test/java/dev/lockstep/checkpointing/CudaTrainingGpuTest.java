package dev.lockstep.checkpointing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import dev.lockstep.config.ObjectiveConfig;
import dev.lockstep.config.OptimizerConfig;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.objective.Objective;
import dev.lockstep.objective.Objectives;
import dev.lockstep.objective.Accuracy;
import dev.lockstep.objective.StepObjective;
import dev.lockstep.objective.StepObjectives;
import dev.lockstep.tensor.ObjectiveKernels;
import dev.lockstep.objective.Targets;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.optim.Optimizers;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import dev.lockstep.tensor.CudaBackend;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A few hundred training steps of the same model, init and data on the CUDA backend and on the CPU backend: the
 * loss curves must agree (FP32 tightly, TF32 loosely). Runs on the device machine only ({@code -Dgroups=gpu}).
 */
@Tag("gpu")
class CudaTrainingGpuTest {
  static final int N = 4096, IN = 64, CLASSES = 10, BATCH = 128, STEPS = 300;

  static void assumeGpu() {
    String reason = CudaBackend.unavailableReason().orElse(null);
    if (reason != null && Boolean.getBoolean("lockstep.requireGpu")) {
      fail("lockstep.requireGpu is set but " + reason);
    }
    assumeTrue(reason == null, () -> reason + " (GPU tests skipped)");
  }

  @Test
  void fp32LossCurveMatchesTheCpu() {
    assumeGpu();
    compare(false, 2e-4, 0.0);
  }

  @Test
  void tf32LossCurveStaysCloseToTheCpu() {
    assumeGpu();
    compare(true, 2e-2, 0.0);
  }

  /** The trainer's path on CUDA: the fused objective kernels, no logits download or gradient upload. */
  @Test
  void fp32LossCurveWithTheDeviceObjectiveMatchesTheCpu() {
    assumeGpu();
    deviceObjective = true;
    compare(false, 2e-4, 0.0);
  }

  private boolean deviceObjective;

  private void compare(boolean tf32, double relTolerance, double unused) {
    long seed = System.nanoTime();
    System.out.println("[seed] training comparison tf32=" + tf32 + ": " + seed);
    float[] x = new float[N * IN];
    int[] labels = teacherData(new SplittableRandom(seed), x);
    double[] cpu, gpu;
    try (Backend be = CpuBackend.create(4)) {
      cpu = train(be, x, labels, seed);
    }
    try (Backend be = CudaBackend.create(0, tf32)) {
      gpu = deviceObjective ? trainWithStepObjective(be, x, labels, seed) : train(be, x, labels, seed);
    }
    System.out.printf("tf32=%s loss first %.5f/%.5f last %.5f/%.5f (cpu/gpu)%n", tf32, cpu[0], gpu[0],
        cpu[STEPS - 1], gpu[STEPS - 1]);
    assertThat(cpu[STEPS - 1]).as("the model learns").isLessThan(0.5 * cpu[0]);
    double worst = 0;
    for (int s = 0; s < STEPS; s++) {
      // Relative to the loss, but absolute once it is small (near 0 relative figures only measure rounding).
      worst = Math.max(worst, Math.abs(cpu[s] - gpu[s]) / Math.max(0.1, Math.abs(cpu[s])));
    }
    System.out.printf("tf32=%s worst relative loss difference over %d steps: %.3g%n", tf32, STEPS, worst);
    assertThat(worst).isLessThanOrEqualTo(relTolerance);
  }

  /** Labels of a random linear teacher, so the task is learnable. */
  private static int[] teacherData(SplittableRandom rng, float[] x) {
    float[] teacher = new float[IN * CLASSES];
    for (int i = 0; i < teacher.length; i++) {
      teacher[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    int[] labels = new int[N];
    for (int n = 0; n < N; n++) {
      int best = 0;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < CLASSES; c++) {
        double score = 0;
        for (int i = 0; i < IN; i++) {
          score += x[n * IN + i] * teacher[i * CLASSES + c];
        }
        if (score > bestScore) {
          bestScore = score;
          best = c;
        }
      }
      labels[n] = best;
    }
    return labels;
  }

  /** As {@link #train}, with the loss through {@link StepObjectives} (on CUDA: the device kernels). */
  private static double[] trainWithStepObjective(Backend be, float[] x, int[] labels, long seed) {
    Model model = model();
    Parameters params = new Parameters(model, be);
    params.initialize(seed);
    Objective objective = Objectives.create(ObjectiveConfig.of("cross_entropy"));
    StepObjective step = StepObjectives.create(objective, be, BATCH, CLASSES, Accuracy::correct,
        t -> ObjectiveKernels.Hits.ARGMAX_CLASS);
    assertThat(step.onDevice()).as("the CUDA backend computes the objective on the device").isTrue();
    Optimizer optimizer = Optimizers.create(new OptimizerConfig("sgd", 0.05, 0.9, true, 1e-4, null, null, null, null),
        be, params.length());
    StepExecutor executor = new StepExecutor(model, params, be, BATCH);
    Buf xBuf = be.allocate((long) BATCH * IN);
    Buf dOutBuf = be.allocate((long) BATCH * CLASSES);
    int[] batchLabels = new int[BATCH];
    double[] losses = new double[STEPS];
    int batches = N / BATCH;
    for (int s = 0; s < STEPS; s++) {
      int b = s % batches;
      be.upload(x, b * BATCH * IN, xBuf);
      System.arraycopy(labels, b * BATCH, batchLabels, 0, BATCH);
      params.zeroGrads();
      Buf output = executor.forward(xBuf, BATCH);
      step.compute(output, Targets.ofClasses(batchLabels), BATCH, CLASSES, dOutBuf, 1f / BATCH);
      executor.backward(dOutBuf, BATCH);
      losses[s] = step.take()[0] / BATCH;
      optimizer.step(be, params.params(), params.grads(), 0.05f);
    }
    be.synchronize();
    return losses;
  }

  private static Model model() {
    return Model.build(new ModelConfig(List.of(new LayerSpec("linear", 256, null),
        new LayerSpec("relu", null, null), new LayerSpec("linear", 256, null), new LayerSpec("gelu", null, null),
        new LayerSpec("linear", CLASSES, null))), IN);
  }

  private static double[] train(Backend be, float[] x, int[] labels, long seed) {
    Model model = Model.build(new ModelConfig(List.of(new LayerSpec("linear", 256, null),
        new LayerSpec("relu", null, null), new LayerSpec("linear", 256, null), new LayerSpec("gelu", null, null),
        new LayerSpec("linear", CLASSES, null))), IN);
    Parameters params = new Parameters(model, be);
    params.initialize(seed);
    Objective objective = Objectives.create(ObjectiveConfig.of("cross_entropy"));
    Optimizer optimizer = Optimizers.create(new OptimizerConfig("sgd", 0.05, 0.9, true, 1e-4, null, null, null, null),
        be, params.length());
    StepExecutor executor = new StepExecutor(model, params, be, BATCH);
    Buf xBuf = be.allocate((long) BATCH * IN);
    Buf dOutBuf = be.allocate((long) BATCH * CLASSES);
    float[] out = new float[BATCH * CLASSES], dOut = new float[BATCH * CLASSES];
    int[] batchLabels = new int[BATCH];
    double[] losses = new double[STEPS];
    int batches = N / BATCH;
    for (int s = 0; s < STEPS; s++) {
      int b = s % batches;
      be.upload(x, b * BATCH * IN, xBuf);
      System.arraycopy(labels, b * BATCH, batchLabels, 0, BATCH);
      params.zeroGrads();
      Buf output = executor.forward(xBuf, BATCH);
      be.download(output, out, 0);
      losses[s] = objective.lossAndGradient(out, Targets.ofClasses(batchLabels), BATCH, CLASSES, dOut, 1f / BATCH)
          / BATCH;
      be.upload(dOut, 0, dOutBuf);
      executor.backward(dOutBuf, BATCH);
      optimizer.step(be, params.params(), params.grads(), 0.05f);
    }
    be.synchronize();
    return losses;
  }
}
