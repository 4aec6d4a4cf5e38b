package dev.lockstep.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.config.DataConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
  @TempDir Path dir;
  private final Random random = new Random();
  private byte[] trainPixels; // [7, 3, 5]
  private byte[] trainLabels; // [7]
  private byte[] testPixels; // [4, 3, 5]
  private byte[] testLabels; // [4]

  @BeforeEach
  void writeSmallDataset() throws IOException {
    trainPixels = new byte[7 * 15];
    random.nextBytes(trainPixels);
    trainPixels[0] = 0;
    trainPixels[1] = (byte) 255;
    trainLabels = new byte[] {3, 0, 1, 2, 0, 1, 2}; // largest train label 3 → 4 classes
    testPixels = new byte[4 * 15];
    random.nextBytes(testPixels);
    testLabels = new byte[] {1, 3, 0, 2};
    IdxFiles.write(dir, "tr-img.gz", IdxFiles.gzip(IdxFiles.ubyteFile(trainPixels, 7, 3, 5)));
    IdxFiles.write(dir, "tr-lbl", IdxFiles.ubyteFile(trainLabels, 7));
    IdxFiles.write(dir, "te-img", IdxFiles.ubyteFile(testPixels, 4, 3, 5));
    IdxFiles.write(dir, "te-lbl.gz", IdxFiles.gzip(IdxFiles.ubyteFile(testLabels, 4)));
  }

  private DataConfig config(String normalize, Double mean, Double std, int limitTrain, int limitTest) {
    return new DataConfig("idx", dir.toString(), "tr-img.gz", "tr-lbl", "te-img", "te-lbl.gz", 2, true,
        normalize, mean, std, limitTrain, limitTest, null, null);
  }

  private DataConfig config() {
    return config("none", null, null, 0, 0);
  }

  @Test
  void loadsBothSplitsWithShapeAndClasses() {
    TrainTest tt = Datasets.load(config());

    assertThat(tt.train().size()).isEqualTo(7);
    assertThat(tt.train().width()).isEqualTo(15);
    assertThat(tt.train().numClasses()).isEqualTo(4);
    assertThat(tt.train().labels()).containsExactly(3, 0, 1, 2, 0, 1, 2);
    assertThat(tt.test().size()).isEqualTo(4);
    assertThat(tt.test().numClasses()).isEqualTo(4);
    assertThat(tt.test().labels()).containsExactly(1, 3, 0, 2);
    for (int i = 0; i < trainPixels.length; i++) {
      assertThat(tt.train().features()[i]).isEqualTo((float) (trainPixels[i] & 0xFF));
    }
  }

  @Test
  void unitAndStandardNormalisationMatchFloat64Reference() {
    double mean = 0.1 + random.nextDouble() * 0.5;
    double std = 0.2 + random.nextDouble() * 0.3;
    Dataset unit = Datasets.load(config("unit", null, null, 0, 0)).test();
    Dataset standard = Datasets.load(config("standard", mean, std, 0, 0)).train();

    for (int i = 0; i < testPixels.length; i++) {
      assertThat(unit.features()[i]).isEqualTo((float) ((testPixels[i] & 0xFF) / 255.0));
    }
    for (int i = 0; i < trainPixels.length; i++) {
      double reference = ((trainPixels[i] & 0xFF) / 255.0 - mean) / std;
      assertThat((double) standard.features()[i]).isCloseTo(reference, org.assertj.core.data.Offset.offset(1e-6 * Math.abs(reference) + 1e-7));
    }
    assertThat(standard.features()[0]).isEqualTo((float) (-mean / std));
    assertThat(standard.features()[1]).isEqualTo((float) ((1 - mean) / std));
  }

  @Test
  void limitsKeepTheFirstSamples() {
    TrainTest tt = Datasets.load(config("none", null, null, 3, 100));

    assertThat(tt.train().size()).isEqualTo(3);
    assertThat(tt.train().labels()).containsExactly(3, 0, 1);
    assertThat(tt.train().features()).hasSize(3 * 15);
    assertThat(tt.train().features()[3 * 15 - 1]).isEqualTo((float) (trainPixels[3 * 15 - 1] & 0xFF));
    assertThat(tt.train().numClasses()).as("classes come from the whole label file").isEqualTo(4);
    assertThat(tt.test().size()).as("a limit above the count keeps all").isEqualTo(4);
  }

  @Test
  void imageAndLabelCountMismatch() throws IOException {
    Path labels = IdxFiles.write(dir, "tr-lbl", IdxFiles.ubyteFile(new byte[] {0, 1, 2, 3, 0, 1}, 6));
    assertThatThrownBy(() -> Datasets.load(config()))
        .isInstanceOf(DataException.class)
        .hasMessage("train: 7 images but 6 labels in " + dir.resolve("tr-img.gz") + " and " + labels);
  }

  @Test
  void testLabelOutsideTrainingClasses() throws IOException {
    Path labels = IdxFiles.write(dir, "te-lbl.gz", IdxFiles.ubyteFile(new byte[] {1, 3, 4, 2}, 4));
    assertThatThrownBy(() -> Datasets.load(config()))
        .isInstanceOf(DataException.class)
        .hasMessage("file " + labels + ": label 4 at index 2 is out of range: the training labels have 4 classes [0, 4)");
  }

  @Test
  void floatLabelsMustBeClassIds() throws IOException {
    Path labels = IdxFiles.write(dir, "tr-lbl", IdxFiles.floatFile(new float[] {0, 1, 2, 3, -1, 1, 2}, 7));
    assertThatThrownBy(() -> Datasets.load(config()))
        .isInstanceOf(DataException.class)
        .hasMessage("file " + labels + ": label -1.0 at index 4 is out of range: a class id must be a non-negative whole number");

    IdxFiles.write(dir, "tr-lbl", IdxFiles.floatFile(new float[] {0, 1, 2, 3, 0, 1.5f, 2}, 7));
    assertThatThrownBy(() -> Datasets.load(config())).hasMessageContaining("label 1.5 at index 5");

    IdxFiles.write(dir, "tr-lbl", IdxFiles.floatFile(new float[] {0, 1, 2, 3, 0, 1, 2}, 7));
    assertThat(Datasets.load(config()).train().labels()).containsExactly(0, 1, 2, 3, 0, 1, 2);
  }

  @Test
  void floatImagesAreNormalisedLikeBytes() throws IOException {
    float[] pixels = new float[4 * 15];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextFloat() * 255;
    }
    IdxFiles.write(dir, "te-img", IdxFiles.floatFile(pixels, 4, 15));
    Dataset test = Datasets.load(config("unit", null, null, 0, 0)).test();
    for (int i = 0; i < pixels.length; i++) {
      assertThat(test.features()[i]).isEqualTo((float) (pixels[i] / 255.0));
    }
  }

  @Test
  void labelsFileMustBeOneDimensional() throws IOException {
    Path labels = IdxFiles.write(dir, "tr-lbl", IdxFiles.ubyteFile(new byte[14], 7, 2));
    assertThatThrownBy(() -> Datasets.load(config()))
        .isInstanceOf(DataException.class)
        .hasMessage("file " + labels + ": labels must be 1-dimensional, found dimensions [7, 2]");
  }

  @Test
  void testWidthMustMatchTrain() throws IOException {
    IdxFiles.write(dir, "te-img", IdxFiles.ubyteFile(new byte[4 * 16], 4, 4, 4));
    assertThatThrownBy(() -> Datasets.load(config()))
        .isInstanceOf(DataException.class)
        .hasMessage("test: images in " + dir.resolve("te-img") + " have 16 values each but train images in "
            + dir.resolve("tr-img.gz") + " have 15");
  }

  @Test
  void missingFileIsNamed() {
    DataConfig cfg = new DataConfig("idx", dir.toString(), "absent.gz", "tr-lbl", "te-img", "te-lbl.gz",
        null, null, null, null, null, null, null, null, null);
    assertThatThrownBy(() -> Datasets.load(cfg))
        .isInstanceOf(DataException.class)
        .hasMessage("file " + dir.resolve("absent.gz") + ": not found");
  }

  @Test
  void badConfigValuesNameTheKey() {
    assertThatThrownBy(() -> Datasets.load(config("zscore", null, null, 0, 0)))
        .isInstanceOf(DataException.class)
        .hasMessage("data.normalize: unknown value 'zscore' (expected none, unit or standard)");
    assertThatThrownBy(() -> Datasets.load(config("standard", 0.5, 0.0, 0, 0)))
        .hasMessage("data.std: must be a positive finite number for normalize: standard, got 0.0");
    assertThatThrownBy(() -> Datasets.load(config("none", null, null, -1, 0)))
        .hasMessage("data.limit_train: must be >= 0 (0 = all samples), got -1");
    DataConfig text = new DataConfig("text", dir.toString(), null, null, null, null, null, null, null, null, null, null,
        null, null, null);
    assertThatThrownBy(() -> Datasets.load(text))
        .hasMessage("data.format: unsupported 'text' (supported: idx, csv, synthetic)");
  }

  @Test
  void datasetRejectsInconsistentArrays() {
    assertThatThrownBy(() -> new Dataset("x", new float[10], new int[3], 3, 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Dataset("x", new float[6], new int[] {0, 2}, 3, 2))
        .isInstanceOf(DataException.class)
        .hasMessage("dataset x: label 2 at index 1 is outside [0, 2)");
  }
}
