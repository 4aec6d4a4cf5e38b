package dev.lockstep.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.tensor.TestSeed;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The evaluation figures by hand, against float64 formulas, and unchanged when the rows are split over tallies. */
class MetricTallyTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);

  @Test
  void classificationByHand() {
    float[] out = {0.1f, 0.7f, 0.2f, /* */ 0.5f, 0.5f, 0f, /* */ -1f, -2f, -0.5f, /* */ 3f, 1f, 2f, /* */ 5f, 4f, -1f};
    int[] y = {1, 1, 0, 2, 2};
    ClassificationTally t = new ClassificationTally(3, 2, true);
    t.add(out, Targets.ofClasses(y), 5, 3);
    Map<String, Object> m = t.results(t.sums());
    assertThat(m.get("accuracy")).isEqualTo(0.2); // row 0 only; row 1's tie goes to class 0
    assertThat(m.get("top_k_accuracy")).isEqualTo(0.8); // all but row 4, where class 2 ranks third
    assertThat(m.get("per_class_accuracy")).isEqualTo(Arrays.asList(0.0, 0.5, 0.0));
    assertThat(m.get("confusion_matrix")).isEqualTo(List.of(List.of(0L, 0L, 1L), List.of(1L, 1L, 0L),
        List.of(2L, 0L, 0L)));
    ClassificationTally noSamples = new ClassificationTally(3, 0, false);
    noSamples.add(out, Targets.ofClasses(new int[] {0}), 1, 3);
    Map<String, Object> n = noSamples.results(noSamples.sums());
    assertThat(n).doesNotContainKeys("top_k_accuracy", "confusion_matrix");
    assertThat(n.get("per_class_accuracy")).isEqualTo(Arrays.asList(0.0, null, null)); // no samples: null
  }

  @Test
  void regressionMatchesFloat64Formulas() {
    int rows = 23, cols = 3;
    float[] out = TestSeed.uniform(rng, rows * cols, -2, 2);
    float[] y = TestSeed.uniform(rng, rows * cols, -3, 3);
    RegressionTally t = new RegressionTally(cols);
    t.add(out, Targets.ofValues(y, cols), rows, cols);
    Map<String, Object> m = t.results(t.sums());
    double sse = 0, sae = 0, r2 = 0;
    for (int c = 0; c < cols; c++) {
      double mean = 0, colSse = 0, sst = 0;
      for (int r = 0; r < rows; r++) {
        mean += y[r * cols + c] / (double) rows;
      }
      for (int r = 0; r < rows; r++) {
        double e = (double) out[r * cols + c] - y[r * cols + c];
        colSse += e * e;
        sae += Math.abs(e);
        sst += (y[r * cols + c] - mean) * (y[r * cols + c] - mean);
      }
      sse += colSse;
      r2 += (1 - colSse / sst) / cols;
    }
    assertThat((Double) m.get("rmse")).as("seed=%d", seed).isCloseTo(Math.sqrt(sse / (rows * cols)), within(1e-12));
    assertThat((Double) m.get("mae")).isCloseTo(sae / (rows * cols), within(1e-12));
    assertThat((Double) m.get("r2")).isCloseTo(r2, within(1e-9));
  }

  @Test
  void binaryByHand() {
    float[] out = {2f, -1f, /* */ -3f, 0f};
    float[] y = {1f, 0f, /* */ 1f, 0f};
    BinaryTally t = new BinaryTally();
    t.add(out, Targets.ofValues(y, 2), 2, 2);
    Map<String, Object> m = t.results(t.sums());
    assertThat(m.get("accuracy")).isEqualTo(0.75); // logit 0 predicts 0
    assertThat(m.get("exact_match")).isEqualTo(0.5);
    double ref = (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(3)) + Math.log(2)) / 4;
    assertThat((Double) m.get("log_loss")).isCloseTo(ref, within(1e-12));
  }

  @Test
  void splittingRowsOverTalliesAndAddingTheirSumsChangesNoCount() {
    int rows = 41, cols = 5;
    float[] out = TestSeed.uniform(rng, rows * cols, -3, 3);
    int[] y = new int[rows];
    for (int r = 0; r < rows; r++) {
      y[r] = rng.nextInt(cols);
    }
    ClassificationTally whole = new ClassificationTally(cols, 3, true);
    whole.add(out, Targets.ofClasses(y), rows, cols);
    int cut = 1 + rng.nextInt(rows - 1);
    ClassificationTally a = new ClassificationTally(cols, 3, true);
    ClassificationTally b = new ClassificationTally(cols, 3, true);
    a.add(out, Targets.ofClasses(y), cut, cols);
    b.add(Arrays.copyOfRange(out, cut * cols, rows * cols), Targets.ofClasses(Arrays.copyOfRange(y, cut, rows)),
        rows - cut, cols);
    double[] sum = a.sums();
    double[] other = b.sums();
    for (int i = 0; i < sum.length; i++) {
      sum[i] += other[i];
    }
    assertThat(a.results(sum)).as("seed=%d cut=%d", seed, cut).isEqualTo(whole.results(whole.sums()));
  }
}
