package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.checkpointing.StepExecutor;
import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import dev.lockstep.config.ObjectiveConfig;
import dev.lockstep.config.OptimizerConfig;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.objective.Objectives;
import dev.lockstep.objective.StepObjective;
import dev.lockstep.objective.StepObjectives;
import dev.lockstep.objective.Targets;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.optim.Optimizers;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CudaBackend;
import dev.lockstep.tensor.ObjectiveKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The trainer's step recorded as CUDA graphs ({@link StepGraphs} over {@link CudaBackend#capture}) gives the same
 * losses and weights, bit for bit, as the same steps run eagerly: full batches and a short last batch of each
 * epoch (a second graph), with the l2 term and label smoothing in the recorded work.
 */
@Tag("gpu")
class CudaStepGraphsGpuTest {
  static final int N = 1000, IN = 48, CLASSES = 7, BATCH = 96, EPOCHS = 3;

  @Test
  void recordedStepsEqualEagerStepsBitForBit() {
    String reason = CudaBackend.unavailableReason().orElse(null);
    if (reason != null && Boolean.getBoolean("lockstep.requireGpu")) {
      fail("lockstep.requireGpu is set but " + reason);
    }
    assumeTrue(reason == null, () -> reason + " (GPU tests skipped)");
    long seed = System.nanoTime();
    System.out.println("[seed] step graphs: " + seed);
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[N * IN];
    int[] labels = new int[N];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < N; i++) {
      labels[i] = rng.nextInt(CLASSES);
    }
    Run eager = train(false, x, labels, seed);
    Run graphs = train(true, x, labels, seed);
    assertThat(graphs.recordings).as("one graph for full batches, one for the short last batch").isEqualTo(2);
    assertThat(graphs.losses).isEqualTo(eager.losses);
    assertThat(graphs.weights).isEqualTo(eager.weights);
  }

  record Run(List<Double> losses, float[] weights, int recordings) {}

  private static Run train(boolean record, float[] x, int[] labels, long seed) {
    try (CudaBackend be = CudaBackend.create(0, false)) {
      Model model = Model.build(new ModelConfig(List.of(new LayerSpec("linear", 64, null),
          new LayerSpec("gelu", null, null), new LayerSpec("linear", CLASSES, null))), IN);
      Parameters params = new Parameters(model, be);
      params.initialize(seed);
      ObjectiveConfig oc = new ObjectiveConfig("cross_entropy", 0.1, null, null, null, null, 1e-3, null, null, null);
      StepObjective step = StepObjectives.create(Objectives.create(oc), be, BATCH, CLASSES, (o, t, r, c) -> 0,
          t -> ObjectiveKernels.Hits.ARGMAX_CLASS);
      RegularizationTerm reg = new RegularizationTerm(Objectives.regularization(oc), params, be);
      Optimizer optimizer = Optimizers.create(new OptimizerConfig("sgd", 0.05, 0.9, false, 0.0, null, null, null,
          null), be, params.length());
      StepExecutor executor = new StepExecutor(model, params, be, BATCH);
      Buf xBuf = be.allocate((long) BATCH * IN);
      Buf dOut = be.allocate((long) BATCH * CLASSES);
      StepGraphs<Integer> graphs = record ? new StepGraphs<>(be::capture, 1, 4, line -> fail(line))
          : StepGraphs.eager();
      List<Double> losses = new ArrayList<>();
      for (int epoch = 0; epoch < EPOCHS; epoch++) {
        for (int start = 0; start < N; start += BATCH) {
          int rows = Math.min(BATCH, N - start);
          be.upload(x, start * IN, xBuf.view(0, (long) rows * IN));
          step.stage(Targets.ofClasses(java.util.Arrays.copyOfRange(labels, start, start + rows)), rows, CLASSES);
          float scale = 1f / rows;
          graphs.run(rows, () -> {
            params.zeroGrads();
            Buf out = executor.forward(xBuf, rows);
            step.launch(out.view(0, (long) rows * CLASSES), rows, CLASSES, dOut.view(0, (long) rows * CLASSES),
                scale);
            executor.backward(dOut, rows);
            reg.addToStep(step, true, rows);
          });
          losses.add(step.take()[0] / rows);
          optimizer.step(be, params.params(), params.grads(), 0.05f);
        }
      }
      int recordings = graphs.recordings();
      graphs.close();
      return new Run(losses, params.download(), recordings);
    }
  }
}
