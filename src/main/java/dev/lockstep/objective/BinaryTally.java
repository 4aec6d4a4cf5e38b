package dev.lockstep.objective;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Binary and multi-label figures on logits (one sigmoid per column) against 0/1 targets (soft targets count as
 * positive above 0.5): accuracy at probability 0.5 over every label (logit &gt; 0 predicts 1), exact match (rows
 * with every label right; equals accuracy for one column) and log-loss, the mean binary cross-entropy per label
 * (scikit-learn's {@code log_loss} for one column). Sums: [labels, correct labels, rows, exact rows, Σ BCE].
 */
public final class BinaryTally implements MetricTally {
  private final double[] sums = new double[5];

  @Override
  public void add(float[] output, Targets targets, int rows, int cols) {
    if (targets.values() == null || targets.width() != cols) {
      throw new IllegalArgumentException("binary metrics need value targets of width " + cols);
    }
    float[] t = targets.values();
    for (int r = 0; r < rows; r++) {
      boolean allRight = true;
      for (int c = 0; c < cols; c++) {
        double o = output[r * cols + c];
        double y = t[r * cols + c];
        boolean right = (o > 0) == (y > 0.5);
        sums[1] += right ? 1 : 0;
        allRight &= right;
        sums[4] += Softmax.softplus(o) - o * y;
      }
      sums[3] += allRight ? 1 : 0;
    }
    sums[0] += (double) rows * cols;
    sums[2] += rows;
  }

  @Override
  public double[] sums() {
    return sums.clone();
  }

  @Override
  public Map<String, Object> results(double[] s) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (s[0] == 0) {
      return m;
    }
    m.put("accuracy", s[1] / s[0]);
    m.put("exact_match", s[3] / s[2]);
    m.put("log_loss", s[4] / s[0]);
    return m;
  }
}
