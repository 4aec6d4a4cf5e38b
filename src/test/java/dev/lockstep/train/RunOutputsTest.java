package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.metrics.RunPlots;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What real runs (real MPJ ranks, through the launcher) show and leave for users: plain lines that parse when the
 * output is not a terminal, --json records identical to metrics.jsonl, --quiet, trace.json with every rank's spans,
 * and the charts of output.plots.
 */
class RunOutputsTest {
  private static final String NUMBER = "\\d+(\\.\\d+)?";
  /** Every line a plain (non-terminal) run prints; anything else is a regression scripts would trip over. */
  private static final List<Pattern> PLAIN_LINES = List.of(
      Pattern.compile("lockstep: \\d+ rank\\(s\\) × batch \\d+( × \\d+ micro-batches)? \\(effective batch \\d+\\) on "
          + "\\S+ \\| model .+ \\| \\d+ parameters \\| "
          + "activations " + NUMBER + " \\S+/rank, checkpointing .+ \\| run directory \\S+"),
      Pattern.compile("lockstep: no usable GPU; using the CPU backend \\(why: 'lockstep doctor' or "
          + "LOCKSTEP_DEBUG=1\\)"),
      Pattern.compile("step (\\d+)/(\\d+) \\| epoch (\\d+)/(\\d+) \\| loss (" + NUMBER + ") \\| (\\d+) samples/s \\| "
          + "comm (\\d+)% \\| wait (\\d+)%"),
      Pattern.compile("epoch \\d+/\\d+ \\| test accuracy 0\\.\\d{4} \\| test loss " + NUMBER + " \\(\\d+ samples\\)"),
      Pattern.compile("step \\d+ \\(epoch \\d+/\\d+\\) \\| test accuracy 0\\.\\d{4} \\| test loss " + NUMBER
          + " \\(\\d+ samples\\)"),
      Pattern.compile("done: \\d+ steps in " + NUMBER + " s \\| \\d+ samples/s \\| test accuracy 0\\.\\d{4} \\| "
          + "replicas identical"));

  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void writeConfig() throws IOException {
    config = TrainingRuns.writeSmallConfig(dir);
  }

  @Test
  void plainOutputParsesAndTraceAndPlotsCoverEveryRank() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "run.max_steps=12", "output.log_every=4",
        "output.trace=true", "output.plots=true", "output.eval_every_steps=5", "run.name=plain");
    assertThat(run.exitCode()).as(run.output()).isZero();

    List<String> stepLines = new ArrayList<>();
    for (String line : run.output().lines().toList()) {
      assertThat(PLAIN_LINES).as("a line scripts can parse: '%s'", line).anyMatch(p -> p.matcher(line).matches());
      if (line.matches("step \\d+/.*")) { // progress lines, not the evaluations within the epoch ("step 5 (...")
        stepLines.add(line);
      }
    }
    assertThat(stepLines).hasSize(3).first().asString().startsWith("step 4/12 | epoch 1/1 | loss ");
    assertThat(stepLines.get(2)).startsWith("step 12/12 ");

    JsonNode trace = TrainingRuns.JSON.readTree(run.runDir().resolve("trace.json").toFile());
    assertTraceEventSchema(trace);
    Map<Integer, Map<String, Integer>> spans = spansPerRank(trace);
    assertThat(spans).containsOnlyKeys(0, 1);
    for (int rank = 0; rank < 2; rank++) {
      Map<String, Integer> counts = spans.get(rank);
      assertThat(counts).as("rank %d", rank).containsEntry("forward", 12).containsEntry("backward", 12)
          .containsEntry("allreduce", 12).containsEntry("optimizer step", 12).containsEntry("evaluation", 3); // steps 5 and 10, and the end
    }
    assertThat(run.output()).contains("step 5 (epoch 1/1) | test accuracy ", "step 10 (epoch 1/1) | test accuracy ");

    for (String name : RunPlots.FILES) {
      BufferedImage png = ImageIO.read(run.runDir().resolve("plots").resolve(name).toFile());
      assertThat(png).as(name).isNotNull();
      assertThat(png.getWidth()).isEqualTo(RunPlots.WIDTH);
      assertThat(png.getHeight()).isEqualTo(RunPlots.HEIGHT);
    }
  }

  @Test
  void jsonPrintsStartTheMetricsRecordsAndSummaryAndNiodevRanksJoinTheTrace() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "niodev", "run.max_steps=6", "output.log_every=2",
        "output.trace=true", "run.name=json", "--json");
    assertThat(run.exitCode()).as(run.output()).isZero();
    // The merged stream holds stdout (records) and stderr (the summary, which names the run directory).
    List<String> records = run.output().lines().filter(l -> l.startsWith("{")).toList();
    List<String> other = run.output().lines().filter(l -> !l.startsWith("{"))
        .filter(l -> !l.startsWith("lockstep: no usable GPU")).toList(); // stderr, like the summary
    assertThat(other).singleElement().asString().startsWith("done: 6 steps").contains("| run directory ");
    Path runDir = Path.of(other.get(0).substring(other.get(0).indexOf("| run directory ") + 16));
    // a start record, exactly the lines of metrics.jsonl (steps 2, 4, 6 and the evaluation), a summary record
    assertThat(records).hasSize(6);
    assertThat(records.subList(1, 5)).containsExactlyElementsOf(Files.readAllLines(runDir.resolve("metrics.jsonl")));
    JsonNode start = TrainingRuns.JSON.readTree(records.get(0));
    JsonNode summary = TrainingRuns.JSON.readTree(records.get(5));
    assertThat(start.get("kind").asText()).isEqualTo("start");
    assertThat(summary.get("kind").asText()).isEqualTo("summary");
    assertThat(start.get("run_dir").asText()).isEqualTo(runDir.toString());
    assertThat(summary.get("run_dir").asText()).isEqualTo(runDir.toString());
    assertThat(summary.get("steps").asLong()).isEqualTo(6);
    for (String r : records.subList(1, 5)) {
      JsonNode record = TrainingRuns.JSON.readTree(r);
      assertThat(record.get("kind").asText()).isIn("step", "eval");
      assertThat(record.get("elapsed_s").isNumber()).isTrue();
    }

    Map<Integer, Map<String, Integer>> spans = spansPerRank(TrainingRuns.JSON.readTree(
        runDir.resolve("trace.json").toFile()));
    assertThat(spans).containsOnlyKeys(0, 1);
    assertThat(spans.get(1)).containsEntry("forward", 6).containsEntry("allreduce", 6);
  }

  @Test
  void quietPrintsOnlyTheSummary() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 1, "multicore", "run.max_steps=3", "run.name=quiet",
        "--quiet");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output().lines().toList()).singleElement().asString()
        .matches("done: 3 steps in .* \\| replicas identical \\| run directory \\S+");
  }

  /** Chrome trace-event format, JSON object form: every event has name, ph, pid, tid; complete events ts and dur. */
  static void assertTraceEventSchema(JsonNode trace) {
    assertThat(trace.get("traceEvents").isArray()).isTrue();
    for (JsonNode e : trace.get("traceEvents")) {
      assertThat(e.get("name").isTextual()).as(e.toString()).isTrue();
      assertThat(e.get("ph").asText()).as(e.toString()).isIn("X", "M");
      assertThat(e.get("pid").isInt()).as(e.toString()).isTrue();
      assertThat(e.get("tid").isInt()).as(e.toString()).isTrue();
      if (e.get("ph").asText().equals("X")) {
        assertThat(e.get("cat").isTextual()).as(e.toString()).isTrue();
        assertThat(e.get("ts").isNumber() && e.get("ts").asDouble() >= 0).as(e.toString()).isTrue();
        assertThat(e.get("dur").isNumber() && e.get("dur").asDouble() >= 0).as(e.toString()).isTrue();
      } else {
        assertThat(e.get("args").isObject()).as(e.toString()).isTrue();
      }
    }
  }

  /** rank → span name → count; also checks each rank's spans do not overlap (one training thread per rank). */
  static Map<Integer, Map<String, Integer>> spansPerRank(JsonNode trace) {
    Map<Integer, Map<String, Integer>> spans = new HashMap<>();
    Map<Integer, Double> lastEnd = new HashMap<>();
    Set<Integer> named = new HashSet<>();
    for (JsonNode e : trace.get("traceEvents")) {
      int pid = e.get("pid").asInt();
      if (e.get("ph").asText().equals("M")) {
        if (e.get("name").asText().equals("process_name")) {
          assertThat(e.get("args").get("name").asText()).isEqualTo("rank " + pid);
          named.add(pid);
        }
        continue;
      }
      spans.computeIfAbsent(pid, k -> new HashMap<>()).merge(e.get("name").asText(), 1, Integer::sum);
      double ts = e.get("ts").asDouble();
      assertThat(ts).as("rank %d spans in order, not overlapping", pid)
          .isGreaterThanOrEqualTo(lastEnd.getOrDefault(pid, 0.0) - 0.002);
      lastEnd.put(pid, ts + e.get("dur").asDouble());
    }
    assertThat(named).isEqualTo(spans.keySet());
    return spans;
  }
}
