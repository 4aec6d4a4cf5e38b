package dev.lockstep.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.config.DataConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The real Fashion-MNIST files at the default location (skipped where they are not installed). */
class FashionMnistTest {
  private static final DataConfig DEFAULTS =
      new DataConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

  private static void assumeInstalled() {
    for (String f : new String[] {DEFAULTS.trainImages(), DEFAULTS.trainLabels(), DEFAULTS.testImages(), DEFAULTS.testLabels()}) {
      Path p = Path.of(DEFAULTS.dir()).resolve(f);
      assumeTrue(Files.isRegularFile(p), "Fashion-MNIST not installed: " + p + " is missing");
    }
  }

  @Test
  void loadsWithDefaultConfig() {
    assumeInstalled();
    long start = System.nanoTime();
    TrainTest tt = Datasets.load(DEFAULTS);
    System.out.printf("Fashion-MNIST train+test loaded in %.0f ms%n", (System.nanoTime() - start) / 1e6);

    Dataset train = tt.train();
    Dataset test = tt.test();
    assertThat(train.size()).isEqualTo(60000);
    assertThat(test.size()).isEqualTo(10000);
    assertThat(train.width()).isEqualTo(784);
    assertThat(test.width()).isEqualTo(784);
    assertThat(train.numClasses()).isEqualTo(10);
    // The first sample of each split is an ankle boot (class 9).
    assertThat(train.labels()[0]).isEqualTo(9);
    assertThat(test.labels()[0]).isEqualTo(9);
    assertThat(classCounts(train)).containsOnly(6000);
    assertThat(classCounts(test)).containsOnly(1000);

    // The default standard normalisation (mean 0.2860, std 0.3530) is Fashion-MNIST's own: train features
    // come out with mean ~0 and std ~1.
    double sum = 0;
    double sumSq = 0;
    for (float v : train.features()) {
      sum += v;
      sumSq += (double) v * v;
    }
    double mean = sum / train.features().length;
    double std = Math.sqrt(sumSq / train.features().length - mean * mean);
    assertThat(mean).isCloseTo(0.0, within(1e-3));
    assertThat(std).isCloseTo(1.0, within(1e-3));
  }

  private static int[] classCounts(Dataset ds) {
    int[] counts = new int[ds.numClasses()];
    for (int label : ds.labels()) {
      counts[label]++;
    }
    return counts;
  }
}
