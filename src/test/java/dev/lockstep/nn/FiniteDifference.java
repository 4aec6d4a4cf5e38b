package dev.lockstep.nn;

import java.util.function.DoubleSupplier;

/**
 * Central differences over a float array: the loss (evaluated in double by the caller, reading the array) at
 * v + h and v − h, divided by the step that float rounding actually took, so rounding of v ± h adds no error.
 */
public final class FiniteDifference {
  private FiniteDifference() {}

  public static double[] gradient(float[] values, double h, DoubleSupplier loss) {
    double[] grad = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      float up = (float) (v + h);
      float down = (float) (v - h);
      values[i] = up;
      double lossUp = loss.getAsDouble();
      values[i] = down;
      double lossDown = loss.getAsDouble();
      values[i] = v;
      grad[i] = (lossUp - lossDown) / ((double) up - down);
    }
    return grad;
  }
}
