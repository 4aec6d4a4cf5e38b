package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * output.eval_every_steps on real multicore ranks: evaluations within epochs at every mark in sync (a mark on an epoch
 * end is the epoch's own evaluation, not a second one), and at local SGD's averaging rounds — with a straggler, in
 * plain async and in auto's both phases — without the ranks ever disagreeing about when (that would hang them).
 */
class EvalEveryStepsTest {
  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void writeConfig() throws IOException {
    config = TrainingRuns.writeSmallConfig(dir);
  }

  private record Eval(long step, boolean withinEpoch, double accuracy) {}

  private static List<Eval> evals(TrainingRuns.Result run) throws IOException {
    List<Eval> evals = new ArrayList<>();
    for (String line : Files.readAllLines(run.runDir().resolve("metrics.jsonl"))) {
      JsonNode r = TrainingRuns.JSON.readTree(line);
      if (r.get("kind").asText().equals("eval")) {
        evals.add(new Eval(r.get("step").asLong(), r.path("within_epoch").asBoolean(false),
            r.get("test_accuracy").asDouble()));
      }
    }
    return evals;
  }

  /** 600 samples / (2 ranks × 12) = 25 steps per epoch, 2 epochs. */
  @Test
  void syncEvaluatesAtEveryMarkAndOnceAtEachEpochEnd() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "run.epochs=2", "output.eval_every_steps=10",
        "output.log_every=1000", "run.name=sync-10");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(evals(run)).extracting(Eval::step).containsExactly(10L, 20L, 25L, 30L, 40L, 50L);
    assertThat(evals(run)).extracting(Eval::withinEpoch).containsExactly(true, true, false, true, true, false);
    assertThat(run.output()).contains("step 10 (epoch 1/2) | test accuracy ", "epoch 1/2 | test accuracy ",
        "step 40 (epoch 2/2) | test accuracy ", "epoch 2/2 | test accuracy ");
    assertThat(evals(run).get(5).accuracy()).isEqualTo(run.summary().get("test_accuracy").asDouble());

    TrainingRuns.Result onEnds = TrainingRuns.train(config, 2, "multicore", "run.epochs=2",
        "output.eval_every_steps=25", "output.log_every=1000", "run.name=sync-25");
    assertThat(onEnds.exitCode()).as(onEnds.output()).isZero();
    assertThat(evals(onEnds)).extracting(Eval::step).containsExactly(25L, 50L);
    assertThat(evals(onEnds)).extracting(Eval::withinEpoch).containsOnly(false);
  }

  /** Marks every 6 steps; rounds of 3 local steps; rank 1 four times slower, so the ranks' step counts differ. */
  @Test
  void localSgdEvaluatesAtTheFirstRoundFromEachMark() throws IOException {
    for (String mode : List.of("async", "auto")) {
      TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "update.mode=" + mode,
          "update.async.algorithm=local_sgd", "update.async.period=3", "update.auto.window_steps=4",
          "simulate.slow_ranks=[{rank: 1, factor: 4}]", "model.layers.0.units=256", "run.epochs=2",
          "output.eval_every_steps=6", "output.log_every=1000", "run.name=local-" + mode);
      assertThat(run.exitCode()).as(run.output()).isZero();
      List<Eval> evals = evals(run);
      List<Eval> within = evals.stream().filter(Eval::withinEpoch).toList();
      assertThat(within).as(run.output()).hasSizeGreaterThanOrEqualTo(3);
      for (int i = 1; i < evals.size(); i++) {
        assertThat(evals.get(i).step()).as(run.output()).isGreaterThanOrEqualTo(evals.get(i - 1).step());
      }
      for (int i = 1; i < within.size(); i++) { // one evaluation per mark passed: never two for the same mark
        assertThat(within.get(i).step() / 6).as(run.output()).isGreaterThan(within.get(i - 1).step() / 6);
      }
      assertThat(evals.stream().filter(e -> !e.withinEpoch())).hasSize(2); // each epoch's end
      assertThat(run.summary().get("replicas_identical").asBoolean()).isTrue();
      if (mode.equals("auto")) {
        assertThat(run.output()).contains("update: switching sync -> local_sgd at step");
      }
    }
  }

  /**
   * Snapshots within epochs take the same points: averaging rounds, never one rank's replica between them. Under auto
   * with the parameter server, evaluations and snapshots happen in its sync phases and wait out its async phase.
   */
  @Test
  void snapshotsTakeTheSamePointsAndAutoWithAParameterServerWaitsForSync() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "update.mode=async",
        "update.async.algorithm=local_sgd", "update.async.period=3", "simulate.slow_ranks=[{rank: 1, factor: 4}]",
        "model.layers.0.units=256", "output.eval_every_steps=6", "output.save_every_steps=6",
        "output.log_every=1000", "run.name=local-snapshots");
    assertThat(run.exitCode()).as(run.output()).isZero();
    List<Long> within = evals(run).stream().filter(Eval::withinEpoch).map(Eval::step).toList();
    assertThat(within).as(run.output()).isNotEmpty();
    try (var dirs = Files.list(run.runDir().resolve("checkpoints"))) {
      assertThat(dirs.map(d -> Long.parseLong(d.getFileName().toString().substring("step-".length()))).sorted())
          .as(run.output()).containsExactlyElementsOf(within);
    }

    TrainingRuns.Result auto = TrainingRuns.train(config, 2, "multicore", "update.mode=auto",
        "update.async.algorithm=parameter_server", "update.auto.window_steps=4",
        "simulate.slow_ranks=[{rank: 1, factor: 6, from_step: 8}]", "model.layers.0.units=256",
        "output.eval_every_steps=3", "output.save_every_steps=3", "output.log_every=1000", "run.name=auto-ps");
    assertThat(auto.exitCode()).as(auto.output()).isZero();
    assertThat(auto.output()).contains("update: switching sync -> parameter_server at step");
    long switched = Long.parseLong(auto.output().replaceAll("(?s).*switching sync -> parameter_server at step (\\d+).*",
        "$1"));
    List<Long> autoWithin = evals(auto).stream().filter(Eval::withinEpoch).map(Eval::step).toList();
    assertThat(autoWithin).as(auto.output()).isNotEmpty().allMatch(step -> step <= switched);
    assertThat(auto.runDir().resolve("checkpoints/step-000003")).exists();
    assertThat(auto.summary().get("replicas_identical").asBoolean()).isTrue();
  }
}
