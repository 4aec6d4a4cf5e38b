package dev.lockstep.objective;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classification figures: top-1 accuracy (arg-max, ties to the lowest index, as {@link Accuracy}), top-k
 * accuracy when k &gt; 0 (the target is among the k highest scores, ties ranked by index), per-class accuracy
 * (recall of each true class; null for a class with no samples) and, on request, the confusion matrix
 * (rows: true class, columns: predicted). Targets are class ids, or value rows scored by their arg-max.
 * Sums: [correct, correct in top-k, samples per class [C], correct per class [C], confusion [C·C]].
 */
public final class ClassificationTally implements MetricTally {
  private final int classes;
  private final int topK;
  private final boolean confusion;
  private final double[] sums;

  public ClassificationTally(int classes, int topK, boolean confusion) {
    this.classes = classes;
    this.topK = topK;
    this.confusion = confusion;
    this.sums = new double[2 + 2 * classes + (confusion ? classes * classes : 0)];
  }

  @Override
  public void add(float[] output, Targets targets, int rows, int cols) {
    if (cols != classes) {
      throw new IllegalArgumentException("classification metrics: output of " + cols + " columns for " + classes
          + " classes");
    }
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      int y = targets.classes() != null ? targets.classes()[r] : Accuracy.argmax(targets.values(), base, cols);
      int predicted = Accuracy.argmax(output, base, cols);
      boolean hit = predicted == y;
      sums[0] += hit ? 1 : 0;
      if (topK > 0 && rankOf(output, base, cols, y) < topK) {
        sums[1]++;
      }
      sums[2 + y]++;
      sums[2 + classes + y] += hit ? 1 : 0;
      if (confusion) {
        sums[2 + 2 * classes + y * classes + predicted]++;
      }
    }
  }

  /** How many classes outrank class y: higher score, or equal score and lower index. */
  private static int rankOf(float[] o, int base, int cols, int y) {
    int ahead = 0;
    for (int c = 0; c < cols; c++) {
      if (o[base + c] > o[base + y] || (o[base + c] == o[base + y] && c < y)) {
        ahead++;
      }
    }
    return ahead;
  }

  @Override
  public double[] sums() {
    return sums.clone();
  }

  @Override
  public Map<String, Object> results(double[] s) {
    long samples = 0;
    for (int c = 0; c < classes; c++) {
      samples += Math.round(s[2 + c]);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("accuracy", ratio(s[0], samples));
    if (topK > 0) {
      m.put("top_k", topK);
      m.put("top_k_accuracy", ratio(s[1], samples));
    }
    List<Double> perClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      perClass.add(ratio(s[2 + classes + c], Math.round(s[2 + c])));
    }
    m.put("per_class_accuracy", perClass);
    if (confusion) {
      List<List<Long>> matrix = new ArrayList<>();
      for (int t = 0; t < classes; t++) {
        List<Long> row = new ArrayList<>();
        for (int p = 0; p < classes; p++) {
          row.add(Math.round(s[2 + 2 * classes + t * classes + p]));
        }
        matrix.add(row);
      }
      m.put("confusion_matrix", matrix);
    }
    return m;
  }

  private static Double ratio(double hits, long n) {
    return n == 0 ? null : hits / n;
  }
}
