package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.config.ConfigLoader;
import dev.lockstep.config.DataConfig;
import dev.lockstep.nn.FeatureShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a sample's shape comes from: data.shape, the IDX header, or a flat row. */
class InputShapeTest {
  private static DataConfig data(String yaml) {
    return ConfigLoader.fromYaml("model: {layers: [{type: linear, units: 2}]}\ndata: " + yaml, "test", List.of()).data();
  }

  @Test
  void aDeclaredShapeMustHoldTheDataWidth() {
    DataConfig d = data("{format: synthetic, shape: [2, 3, 4], synthetic: {features: 24}}");
    assertThat(InputShape.of(d, 24)).isEqualTo(FeatureShape.image(2, 3, 4));
    assertThatThrownBy(() -> InputShape.of(d, 25))
        .hasMessage("data.shape: [2, 3, 4] holds 24 features, but the data has 25 per sample");
  }

  @Test
  void rowsWithoutADeclaredShapeAreFlat() {
    assertThat(InputShape.of(data("{format: synthetic}"), 16)).isEqualTo(FeatureShape.flat(16));
  }

  @Test
  void idxImagesAreOneChannelImagesFromTheirHeader() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.exists(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")),
        "Fashion-MNIST (Debian dataset-fashion-mnist) is not installed");
    assertThat(InputShape.of(data("{format: idx}"), 784)).isEqualTo(FeatureShape.image(1, 28, 28));
  }
}
