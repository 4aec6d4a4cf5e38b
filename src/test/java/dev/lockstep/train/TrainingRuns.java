package dev.lockstep.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.launch.LaunchSpec;
import dev.lockstep.launch.Launcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Starts real training jobs through the launcher (real MPJ ranks) and reads back what they left behind. */
final class TrainingRuns {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A small, fast model on the first samples of Fashion-MNIST. */
  static String smallConfig(Path outDir) {
    return """
        run: {name: r, seed: 7, epochs: 1, out_dir: "%s"}
        model:
          layers:
            - {type: linear, units: 24}
            - {type: tanh}
            - {type: linear, units: 16}
            - {type: relu}
            - {type: linear, units: 10}
        data: {limit_train: 600, limit_test: 300, batch_size: 12}
        optimizer: {type: sgd, lr: 0.1, momentum: 0.9}
        update: {check_every: 1}
        output: {log_every: 1}
        """.formatted(outDir.toString().replace("\\", "/"));
  }

  /** Writes {@link #smallConfig} into {@code dir}, or skips the calling tests when Fashion-MNIST is absent. */
  static Path writeSmallConfig(Path dir) throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.exists(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")),
        "Fashion-MNIST (Debian dataset-fashion-mnist) is not installed");
    Path config = dir.resolve("small.yaml");
    Files.writeString(config, smallConfig(dir));
    return config;
  }

  /**
   * A small MLP on a synthetic task: {@code task} and {@code outputs} pick the data, {@code objective} is the
   * YAML flow mapping of the objective section, e.g. {@code {type: huber, delta: 0.5}}.
   */
  static String syntheticConfig(Path outDir, String task, int outputs, String objective) {
    return """
        run: {name: r, seed: 5, epochs: 1, out_dir: "%s"}
        model:
          layers:
            - {type: linear, units: 12}
            - {type: tanh}
            - {type: linear, units: %d}
        data:
          format: synthetic
          batch_size: 12
          synthetic: {task: %s, train_samples: 240, test_samples: 301, features: 7, outputs: %d, hidden: 9, seed: 4}
        objective: %s
        optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
        update: {check_every: 1}
        backend: {device: cpu}
        output: {log_every: 1}
        """.formatted(outDir.toString().replace("\\", "/"), outputs, task, outputs, objective);
  }

  /** Largest |a − b| relative to the largest |a| over every tensor of two safetensors files. */
  static void assertSameWeights(Path a, Path b, double relativeTolerance, String what) throws IOException {
    Map<String, float[]> x = readSafetensors(a);
    Map<String, float[]> y = readSafetensors(b);
    org.assertj.core.api.Assertions.assertThat(y.keySet()).containsExactlyElementsOf(x.keySet());
    for (String name : x.keySet()) {
      float[] u = x.get(name), v = y.get(name);
      double scale = 0;
      for (float f : u) {
        scale = Math.max(scale, Math.abs(f));
      }
      for (int i = 0; i < u.length; i++) {
        org.assertj.core.api.Assertions.assertThat((double) Math.abs(u[i] - v[i]))
            .as("%s: %s[%d] %s vs %s", what, name, i, u[i], v[i]).isLessThanOrEqualTo(relativeTolerance * scale);
      }
    }
  }

  record Result(int exitCode, String output, Path runDir) {
    JsonNode summary() throws IOException {
      return JSON.readTree(runDir.resolve("summary.json").toFile());
    }
  }

  static Result train(Path config, int np, String device, String... sets) throws IOException {
    return train(config, np, device, List.of(), new ByteArrayOutputStream(), sets);
  }

  /** With extra rank arguments (e.g. --resume DIR) and the job's output copied into {@code out} as it comes. */
  static Result train(Path config, int np, String device, List<String> extraArgs, ByteArrayOutputStream out,
                      String... sets) throws IOException {
    List<String> args = new ArrayList<>(List.of("train", "-c", config.toAbsolutePath().toString()));
    args.addAll(extraArgs);
    for (String s : sets) { // key=value overrides; a "--flag" passes through as it is
      if (!s.startsWith("--")) {
        args.add("--set");
      }
      args.add(s);
    }
    int code = Launcher.launch(new LaunchSpec(np, device, null, args), out);
    String text = out.toString(StandardCharsets.UTF_8);
    Path runDir = null;
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("run directory (\\S+)").matcher(text);
    if (m.find()) {
      runDir = Path.of(m.group(1));
    }
    return new Result(code, text, runDir);
  }

  /** Reads every tensor of a safetensors file (F32 only), by name. */
  static Map<String, float[]> readSafetensors(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength = Math.toIntExact(buf.getLong());
    JsonNode header = JSON.readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
    Map<String, float[]> tensors = new LinkedHashMap<>();
    header.fields().forEachRemaining(e -> {
      if (e.getKey().equals("__metadata__")) {
        return;
      }
      long from = e.getValue().get("data_offsets").get(0).asLong();
      long to = e.getValue().get("data_offsets").get(1).asLong();
      float[] values = new float[(int) ((to - from) / 4)];
      ByteBuffer data = ByteBuffer.wrap(bytes, 8 + headerLength + (int) from, (int) (to - from))
          .order(ByteOrder.LITTLE_ENDIAN);
      data.asFloatBuffer().get(values);
      tensors.put(e.getKey(), values);
    });
    return tensors;
  }

  private TrainingRuns() {}
}
