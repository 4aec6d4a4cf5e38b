package dev.lockstep.objective;

/** Numerically stable softmax pieces over one row, in double. */
final class Softmax {
  private Softmax() {}

  /** log Σ_c exp(o_c) over {@code row[offset, offset + cols)}, with the maximum subtracted first. */
  static double logSumExp(float[] row, int offset, int cols) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < cols; c++) {
      max = Math.max(max, row[offset + c]);
    }
    double sumExp = 0.0;
    for (int c = 0; c < cols; c++) {
      sumExp += Math.exp(row[offset + c] - max);
    }
    return max + Math.log(sumExp);
  }

  /** log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(−|x|)). */
  static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** 1 / (1 + exp(−x)) without overflow for either sign. */
  static double sigmoid(double x) {
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1 + e);
  }
}
