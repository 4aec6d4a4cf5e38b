package dev.lockstep.objective;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Regression figures over value targets: RMSE and MAE over every output element, and R² = 1 − SSE/SST per
 * output column averaged over columns (scikit-learn's {@code r2_score}, multioutput "uniform_average"; null
 * when a column's targets are constant). Sums: [rows, then per column: Σe², Σ|e|, Σy, Σy²], in double.
 */
public final class RegressionTally implements MetricTally {
  private final int cols;
  private final double[] sums;

  public RegressionTally(int cols) {
    this.cols = cols;
    this.sums = new double[1 + 4 * cols];
  }

  @Override
  public void add(float[] output, Targets targets, int rows, int cols) {
    if (cols != this.cols || targets.values() == null) {
      throw new IllegalArgumentException("regression metrics need value targets of width " + this.cols);
    }
    float[] t = targets.values();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double y = t[r * cols + c];
        double e = output[r * cols + c] - y;
        sums[1 + 4 * c] += e * e;
        sums[2 + 4 * c] += Math.abs(e);
        sums[3 + 4 * c] += y;
        sums[4 + 4 * c] += y * y;
      }
    }
    sums[0] += rows;
  }

  @Override
  public double[] sums() {
    return sums.clone();
  }

  @Override
  public Map<String, Object> results(double[] s) {
    double n = s[0];
    Map<String, Object> m = new LinkedHashMap<>();
    if (n == 0) {
      return m;
    }
    double sse = 0, sae = 0, r2 = 0;
    boolean r2Defined = true;
    for (int c = 0; c < cols; c++) {
      double colSse = s[1 + 4 * c];
      sse += colSse;
      sae += s[2 + 4 * c];
      double sst = s[4 + 4 * c] - s[3 + 4 * c] * s[3 + 4 * c] / n;
      if (sst <= 0) {
        r2Defined = false;
      } else {
        r2 += 1 - colSse / sst;
      }
    }
    m.put("rmse", Math.sqrt(sse / (n * cols)));
    m.put("mae", sae / (n * cols));
    m.put("r2", r2Defined ? r2 / cols : null);
    return m;
  }
}
