package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --json} and {@code --run-dir} as a script sees them: bin/lockstep (the packaged jar) as a process, stdout and
 * stderr apart. With --json every stdout line must parse as a JSON object; words go to stderr.
 */
class JsonOutputIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void setUp() throws IOException {
    assumeTrue(Files.isRegularFile(Path.of("target/lockstep.jar")), "target/lockstep.jar is built by 'package'");
    config = Files.writeString(dir.resolve("syn.yaml"), """
        run: {name: r, seed: 5, epochs: 1, out_dir: "%s"}
        model: {layers: [{type: linear, units: 12}, {type: tanh}, {type: linear, units: 3}]}
        data:
          format: synthetic
          batch_size: 12
          synthetic: {task: classification, train_samples: 240, test_samples: 60, features: 7, outputs: 3, seed: 4}
        optimizer: {type: sgd, lr: 0.05}
        backend: {device: cpu}
        output: {log_every: 1}
        """.formatted(dir.resolve("runs")));
  }

  private record Run(int code, String out, String err) {
    List<JsonNode> records() throws IOException {
      List<JsonNode> records = new ArrayList<>();
      for (String line : out.split("\n")) {
        JsonNode node = JSON.readTree(line); // throws on a line that is not JSON
        assertThat(node.isObject()).as(line).isTrue();
        records.add(node);
      }
      return records;
    }
  }

  private static Run lockstep(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bin/lockstep"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void trainJsonIsAStartRecordTheMetricsAndASummaryInTheChosenRunDirectory() throws Exception {
    Path runDir = dir.resolve("chosen/exp-1");
    Run r = lockstep("train", "-c", config.toString(), "--json", "--run-dir", runDir.toString());

    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> records = r.records();
    assertThat(records).extracting(n -> n.get("kind").asText())
        .containsExactly("start", "step", "step", "step", "step", "step", "step", "step", "step", "step", "step",
            "eval", "summary");
    JsonNode start = records.get(0);
    assertThat(start.get("run_dir").asText()).isEqualTo(runDir.toString());
    assertThat(start.get("ranks").asInt()).isEqualTo(2);
    assertThat(start.get("steps").asLong()).isEqualTo(10);
    JsonNode summary = records.get(records.size() - 1);
    assertThat(summary.get("run_dir").asText()).isEqualTo(runDir.toString());
    assertThat(summary.get("steps").asLong()).isEqualTo(10);
    assertThat(summary.get("replicas_identical").asBoolean()).isTrue();
    // the summary record carries summary.json's figures; the run went exactly where --run-dir said
    JsonNode file = JSON.readTree(runDir.resolve("summary.json").toFile());
    assertThat(summary.get("test_accuracy").asDouble()).isEqualTo(file.get("test_accuracy").asDouble());
    assertThat(dir.resolve("runs")).doesNotExist();
    assertThat(r.err()).contains("done: 10 steps", "run directory " + runDir);

    // an existing directory with files is refused before any rank starts; compare reads the run as JSON
    Run again = lockstep("train", "-c", config.toString(), "--run-dir", runDir.toString());
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).startsWith("lockstep: --run-dir: " + runDir + " exists and is not empty");
    assertThat(again.out()).isEmpty();
    Run compare = lockstep("compare", "--json", runDir.toString());
    assertThat(compare.code()).as(compare.err()).isZero();
    JsonNode row = compare.records().get(0);
    assertThat(row.get("kind").asText()).isEqualTo("run");
    assertThat(row.get("dir").asText()).isEqualTo(runDir.toString());
    assertThat(row.get("finished").asBoolean()).isTrue();
    assertThat(row.get("steps").asLong()).isEqualTo(10);
    assertThat(row.get("test_accuracy").asDouble()).isEqualTo(file.get("test_accuracy").asDouble());
    assertThat(row.get("mode_switches").isNull()).isTrue();
  }

  @Test
  void aRestartWithoutSnapshotStartsOverInTheSameRunDirectory() throws Exception {
    Path runDir = dir.resolve("restarted");
    Run r = lockstep("train", "-c", config.toString(), "--run-dir", runDir.toString(), "--max-restarts", "1",
        "--set", "simulate.fail.rank=1", "--set", "simulate.fail.step=3", "--set", "simulate.fail.how=throw");

    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out() + r.err()).contains("(in --run-dir " + runDir + ", emptied)");
    assertThat(JSON.readTree(runDir.resolve("summary.json").toFile()).get("steps").asLong()).isEqualTo(10);
  }

  @Test
  void benchAllreduceJsonIsOneRecordPerSizeAndAlgorithm() throws Exception {
    Run r = lockstep("bench", "allreduce", "--json", "--sizes", "4K,8K", "--algorithms", "shm,mpj");

    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> records = r.records();
    assertThat(records).extracting(n -> n.get("bytes").asLong() + " " + n.get("algorithm").asText())
        .containsExactly("4096 shm", "4096 mpj", "8192 shm", "8192 mpj");
    for (JsonNode n : records) {
      assertThat(n.get("median_ms").asDouble()).isPositive();
      assertThat(n.get("gb_per_s").asDouble()).isCloseTo(n.get("bytes").asLong() / n.get("median_ms").asDouble()
          / 1e6, org.assertj.core.data.Percentage.withPercentage(1e-6));
      assertThat(n.get("auto_picks").asText()).isEqualTo("shm");
    }
  }

  @Test
  void benchCheckpointingJsonIsOneRecordPerSetting() throws Exception {
    Run r = lockstep("bench", "checkpointing", "--json", "--input", "5", "--hidden", "8", "--depth", "3",
        "--batch", "4", "--steps", "1", "--warmup", "0", "--segments", "0,2");

    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> records = r.records();
    assertThat(records).extracting(n -> n.get("segments").asText()).containsExactly("0", "2");
    assertThat(records.get(0).get("activation_ratio").asDouble()).isEqualTo(1.0);
    assertThat(records.get(1).get("activation_bytes").asLong())
        .isLessThan(records.get(0).get("activation_bytes").asLong());
    assertThat(records.get(1).get("layers").asInt()).isEqualTo(7);
  }
}
