package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image-layer configs that cannot work stop {@code lockstep train} with exit 2, file:line, the key and (for shapes)
 * the layer and both shapes, before any rank starts: no run directory appears.
 */
class ImageModelConfigTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int train(String yaml, String... sets) throws IOException {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, yaml.formatted(dir.resolve("runs").toString()));
    String[] args = new String[3 + 2 * sets.length];
    args[0] = "train";
    args[1] = "-c";
    args[2] = file.toString();
    for (int i = 0; i < sets.length; i++) {
      args[3 + 2 * i] = "--set";
      args[4 + 2 * i] = sets[i];
    }
    return LockstepCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
  }

  private static final String SYNTHETIC = """
      run: {name: s, out_dir: "%s"}
      model:
        layers:
          - {type: linear, units: 8}
          - {type: conv2d, channels: 4, kernel: 3}
          - {type: linear, units: 4}
      data:
        format: synthetic
        synthetic: {features: 48}
      backend: {device: cpu}
      """;

  @Test
  void aConvolutionOnFlatRowsNamesTheLayerAndBothShapes() throws IOException {
    assertThat(train(SYNTHETIC)).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("c.yaml:5: model.layers[1]: conv2d needs an image input [C, H, W] but "
        + "receives [8]");
    assertThat(dir.resolve("runs")).doesNotExist();
  }

  @Test
  void aWindowLargerThanItsInputNamesBothShapes() throws IOException {
    String pooled = """
        run: {name: s, out_dir: "%s"}
        model:
          layers:
            - {type: max_pool2d, kernel: 2}
            - {type: conv2d, channels: 4, kernel: 2}
            - {type: linear, units: 4}
        data:
          format: synthetic
          shape: [3, 4, 4]
          synthetic: {features: 48}
        backend: {device: cpu}
        """;
    assertThat(train(pooled, "model.layers.1.kernel=3")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("c.yaml:5: model.layers[1]: the 3x3 window of conv2d "
        + "with padding 0 needs an input of at least [3, 3, 3] but receives [3, 2, 2]");
    assertThat(dir.resolve("runs")).doesNotExist();
  }

  @Test
  void keysThatDoNotBelongOrCannotWorkAreConfigErrors() throws IOException {
    String wrong = """
        run: {name: s, out_dir: "%s"}
        model:
          layers:
            - {type: relu, kernel: 2}
            - {type: conv2d, channels: 4, kernel: 3, rate: 0.5}
            - {type: batch_norm, sync: true}
            - {type: max_pool2d, kernel: 2, padding: 2}
            - {type: linear, units: 4, momentum: 0.9}
        data:
          format: synthetic
          shape: [3, 4, 5]
          synthetic: {features: 48}
        update: {mode: async}
        backend: {device: cuda}
        """;
    assertThat(train(wrong)).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .contains("c.yaml:4: model.layers[0].kernel: only conv2d, max_pool2d and avg_pool2d have kernel")
        .contains("c.yaml:5: model.layers[1].rate: only dropout has rate")
        .contains("c.yaml:6: model.layers[2].type: batch_norm needs update.mode sync")
        .contains("model.layers[3].padding: a pooling window's padding must be at most half its kernel (2), got 2")
        .contains("model.layers[4].momentum: only batch_norm has momentum")
        .contains("data.shape: [3, 4, 5] holds 60 features but data.synthetic.features is 48")
        .doesNotContain("backend.device"); // image layers run on cuda too
  }
}
