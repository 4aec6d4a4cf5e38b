package dev.lockstep.checkpointing;

import dev.lockstep.nn.ActivationLayer;
import dev.lockstep.nn.Layer;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.Model;

/** A float64 re-implementation of a sequential model and of softmax cross-entropy, written plainly for tests. */
final class ReferenceMlp {
  private ReferenceMlp() {}

  /** output [batch, outWidth] of {@code model} with flat parameters {@code p} (same layout as Parameters). */
  static double[] forward(Model model, double[] p, double[] x, int batch) {
    double[] a = x;
    int offset = 0;
    for (Layer layer : model.layers()) {
      int in = layer.inFeatures();
      int out = layer.outFeatures();
      double[] y = new double[batch * out];
      if (layer instanceof Linear) {
        for (int r = 0; r < batch; r++) {
          for (int o = 0; o < out; o++) {
            double s = p[offset + out * in + o]; // bias after the weights
            for (int i = 0; i < in; i++) {
              s += a[r * in + i] * p[offset + o * in + i];
            }
            y[r * out + o] = s;
          }
        }
        offset += layer.parameterCount();
      } else {
        ActivationLayer act = (ActivationLayer) layer;
        for (int i = 0; i < y.length; i++) {
          double v = a[i];
          y[i] = switch (act.function()) {
            case RELU -> Math.max(0, v);
            case TANH -> Math.tanh(v);
            case SIGMOID -> 1 / (1 + Math.exp(-v));
            case GELU -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
          };
        }
      }
      a = y;
    }
    return a;
  }

  /** Mean over rows of −log softmax(o)[class]. */
  static double meanCrossEntropy(double[] o, int[] classes, int batch, int cols) {
    double total = 0;
    for (int r = 0; r < batch; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < cols; c++) {
        max = Math.max(max, o[r * cols + c]);
      }
      double z = 0;
      for (int c = 0; c < cols; c++) {
        z += Math.exp(o[r * cols + c] - max);
      }
      total += max + Math.log(z) - o[r * cols + classes[r]];
    }
    return total / batch;
  }
}
