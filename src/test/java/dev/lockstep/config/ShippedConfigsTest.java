package dev.lockstep.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The configs users copy (configs/*.yaml) are valid, and the default one says what it promises. */
class ShippedConfigsTest {
  static Stream<Path> shippedConfigs() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("configs"))) {
      List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertThat(yaml).isNotEmpty();
      return yaml.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("shippedConfigs")
  void loadsAndValidates(Path config) {
    assertThat(ConfigValidator.problems(ConfigLoader.load(config))).isEmpty();
  }

  @Test
  void fashionMnistMlpIsTheDocumentedDefaultRun() {
    LockstepConfig c = ConfigLoader.load(Path.of("configs/fashion-mnist-mlp.yaml"));

    assertThat(c.run()).isEqualTo(new RunConfig("fashion-mnist-mlp", 42L, 2, 0L, "runs"));
    assertThat(c.model().layers()).containsExactly(
        new LayerSpec("linear", 1024, "he"), new LayerSpec("relu", null, null),
        new LayerSpec("linear", 1024, "he"), new LayerSpec("relu", null, null),
        new LayerSpec("linear", 10, "xavier"));
    assertThat(c.data().format()).isEqualTo("idx");
    assertThat(c.data().dir()).isEqualTo("/usr/share/datasets/fashion-mnist");
    assertThat(c.data().batchSize()).isEqualTo(128);
    assertThat(c.objective().type()).isEqualTo("cross_entropy");
    assertThat(c.optimizer().type()).isEqualTo("sgd");
    assertThat(c.optimizer().lr()).isEqualTo(0.05);
    assertThat(c.optimizer().momentum()).isEqualTo(0.9);
    assertThat(c.optimizer().eps()).isEqualTo(1e-8);
    assertThat(c.output().logEvery()).isEqualTo(50);
    assertThat(c.update().mode()).isEqualTo("sync");
  }

  @Test
  void everyKeyOfTheDefaultConfigIsWrittenOutAndCommented() throws IOException {
    // The file users copy states every key (so they see what they can change) with a comment nearby.
    List<String> lines = Files.readAllLines(Path.of("configs/fashion-mnist-mlp.yaml"));
    String effective = ConfigWriter.toYaml(ConfigLoader.load(Path.of("configs/fashion-mnist-mlp.yaml")));
    for (String line : effective.split("\n")) {
      String key = line.strip().replaceFirst("^- ", "");
      if (!key.contains(":") || line.startsWith("    ")) {
        continue; // layer entries are written in flow style in the file
      }
      String name = key.substring(0, key.indexOf(':'));
      assertThat(lines).as("key %s in configs/fashion-mnist-mlp.yaml", name)
          .anyMatch(l -> l.strip().startsWith(name + ":"));
    }
    assertThat(lines.stream().filter(l -> l.matches("^\\s+[a-z_0-9]+: \\S.*")))
        .as("every scalar key has a comment or is a file name under data")
        .allMatch(l -> l.contains("#") || l.strip().matches("(train|test)_(images|labels): .*|std: .*|"
            + "type: linear.*|- \\{.*"));
  }
}
