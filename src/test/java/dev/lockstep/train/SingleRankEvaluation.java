package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.checkpointing.StepExecutor;
import dev.lockstep.config.ConfigLoader;
import dev.lockstep.config.LockstepConfig;
import dev.lockstep.data.Batch;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.Datasets;
import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.objective.MetricTally;
import dev.lockstep.objective.Objective;
import dev.lockstep.objective.Objectives;
import dev.lockstep.objective.Targets;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The reference for distributed evaluation: the run's exported weights scored in this JVM on one "rank", in
 * one pass over the whole test set with a batch size of its own, through the same model, objective and
 * metric code. Counts (accuracies, per-class figures, the confusion matrix) must match exactly; sums up to
 * their order of addition.
 */
final class SingleRankEvaluation {
  private SingleRankEvaluation() {}

  static void assertMatches(Path config, Path runDir, JsonNode summary, String... overrides) throws IOException {
    LockstepConfig cfg = ConfigLoader.load(config, List.of(overrides));
    Dataset train = Datasets.load(cfg.data()).train();
    Dataset test = Datasets.load(cfg.data()).test();
    try (CpuBackend be = CpuBackend.create(1)) {
      Model model = Model.build(cfg.model(), train.width());
      Parameters params = new Parameters(model, be);
      params.upload(flatWeights(model, params, TrainingRuns.readSafetensors(runDir.resolve("model.safetensors"))));
      int batchSize = 7, outWidth = model.outputWidth();
      StepExecutor executor = new StepExecutor(model, params, be, batchSize);
      Task task = Task.of(cfg.objective(), train);
      TargetEncoder encoder = TargetEncoder.of(cfg.objective().type(), train, outWidth, batchSize, "test");
      Objective objective = Objectives.create(cfg.objective());
      MetricTally tally = task.tally(cfg.objective(), outWidth);
      double lossSum = 0;
      Batch batch = Batch.forDataset(test, batchSize);
      Buf x = be.allocate((long) batchSize * test.width());
      float[] out = new float[batchSize * outWidth];
      dev.lockstep.data.EvalShard all = new dev.lockstep.data.EvalShard(test, 0, 1, batchSize);
      while (all.next(batch)) {
        int rows = batch.rows();
        be.upload(batch.x(), 0, x.view(0, (long) rows * test.width()));
        be.download(executor.infer(x, rows).view(0, (long) rows * outWidth), out, 0);
        Targets t = encoder.encode(batch);
        lossSum += objective.loss(out, t, rows, outWidth);
        tally.add(out, t, rows, outWidth);
      }
      double reg = new RegularizationTerm(Objectives.regularization(cfg.objective()), params, be).value();
      Map<String, Object> expected = tally.results(tally.sums());
      assertThat(summary.get("test_samples").asLong()).isEqualTo(test.size());
      assertThat(summary.get("test_loss").asDouble())
          .isCloseTo(lossSum / test.size() + reg, within(1e-9 * Math.abs(lossSum / test.size() + reg) + 1e-12));
      for (Map.Entry<String, Object> e : expected.entrySet()) {
        JsonNode actual = summary.get("test_" + e.getKey());
        assertThat(actual).as("summary.json test_%s", e.getKey()).isNotNull();
        boolean continuous = List.of("rmse", "mae", "r2", "log_loss").contains(e.getKey());
        if (continuous) {
          assertThat(actual.asDouble()).as(e.getKey())
              .isCloseTo((Double) e.getValue(), within(1e-9 * Math.abs((Double) e.getValue()) + 1e-12));
        } else {
          assertThat(TrainingRuns.JSON.valueToTree(e.getValue()).toString()).as(e.getKey())
              .isEqualTo(actual.toString());
        }
      }
    }
  }

  /** The flat parameter buffer from safetensors: per linear layer its weight then its bias, in layer order. */
  private static float[] flatWeights(Model model, Parameters params, Map<String, float[]> tensors) {
    float[] flat = new float[params.length()];
    for (LayerRange r : params.layerRanges()) {
      assertThat(model.layers().get(r.layerIndex())).isInstanceOf(Linear.class);
      float[] w = tensors.get("layers." + r.layerIndex() + ".weight");
      float[] b = tensors.get("layers." + r.layerIndex() + ".bias");
      System.arraycopy(w, 0, flat, (int) r.offset(), w.length);
      System.arraycopy(b, 0, flat, (int) r.offset() + w.length, b.length);
    }
    return flat;
  }
}
