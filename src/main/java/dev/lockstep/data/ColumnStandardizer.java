package dev.lockstep.data;

/**
 * Per-column z-scores, (x − mean) / std, with mean and std (population) taken from the training split only, so
 * nothing about the test split leaks into training. A constant column (std 0) is only centred.
 */
final class ColumnStandardizer {
  private final double[] mean; // [width]
  private final double[] std; // [width]

  private ColumnStandardizer(double[] mean, double[] std) {
    this.mean = mean;
    this.std = std;
  }

  /** Statistics of {@code x: [rows, width]}. */
  static ColumnStandardizer fit(double[] x, int rows, int width) {
    double[] mean = new double[width];
    double[] std = new double[width];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < width; c++) {
        mean[c] += x[r * width + c];
      }
    }
    for (int c = 0; c < width; c++) {
      mean[c] /= Math.max(rows, 1);
    }
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < width; c++) {
        double d = x[r * width + c] - mean[c];
        std[c] += d * d;
      }
    }
    for (int c = 0; c < width; c++) {
      double s = Math.sqrt(std[c] / Math.max(rows, 1));
      std[c] = s > 0 ? s : 1.0;
    }
    return new ColumnStandardizer(mean, std);
  }

  /** No change: for normalize none. */
  static ColumnStandardizer identity(int width) {
    double[] one = new double[width];
    java.util.Arrays.fill(one, 1.0);
    return new ColumnStandardizer(new double[width], one);
  }

  /** {@code x: [rows, width]} standardised and rounded once to float. */
  float[] apply(double[] x) {
    int width = mean.length;
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      int c = i % width;
      out[i] = (float) ((x[i] - mean[c]) / std[c]);
    }
    return out;
  }
}
