package dev.lockstep.objective;

/**
 * The targets of one batch: class ids ({@code classes}, one per row) for classification objectives, or dense
 * values ({@code values}, {@code width} per row) for regression/distribution objectives. Unused part is null.
 */
public record Targets(int[] classes, float[] values, int width) {
  public static Targets ofClasses(int[] classes) {
    return new Targets(classes, null, 0);
  }

  public static Targets ofValues(float[] values, int width) {
    return new Targets(null, values, width);
  }
}
