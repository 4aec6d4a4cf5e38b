package dev.lockstep.train;

import dev.lockstep.data.Batch;
import dev.lockstep.objective.Targets;

/**
 * How a batch's rows become model input and objective targets. Row datasets: the row is the input, the label
 * the one target. Text windows (rows of context + 1 ids): the first {@code context} ids are the input and the
 * last {@code positions} ids the targets: a sequence model predicts the next character at every position
 * (positions = context), an MLP model only after the whole window (positions = 1). The model's output is
 * positions × classes logits per row, scored as rows·positions rows of classes (for row datasets: rows of the
 * model's output width, whatever the task).
 */
final class RowEncoding {
  private final int sampleWidth;
  private final int inputWidth;
  private final int positions;
  private final int classes;
  private final float[] input; // [maxRows, inputWidth] (text only)
  private final int[] targets; // [maxRows · positions] (text only)

  private RowEncoding(int sampleWidth, int inputWidth, int positions, int classes, int maxRows) {
    this.sampleWidth = sampleWidth;
    this.inputWidth = inputWidth;
    this.positions = positions;
    this.classes = classes;
    boolean text = sampleWidth != inputWidth;
    this.input = text ? new float[maxRows * inputWidth] : null;
    this.targets = text ? new int[maxRows * positions] : null;
  }

  /** Row datasets: {@code width} inputs per row, one scored row of {@code outWidth} model outputs per row. */
  static RowEncoding rows(int width, int outWidth) {
    return new RowEncoding(width, width, 1, outWidth, 0);
  }

  static RowEncoding textWindows(int context, int positions, int vocab, int maxRows) {
    if (positions < 1 || positions > context) {
      throw new IllegalArgumentException("model.layers: the model predicts " + positions + " positions per row; "
          + "a text model predicts 1 (after the window) or data.context = " + context);
    }
    return new RowEncoding(context + 1, context, positions, vocab, maxRows);
  }

  int inputWidth() {
    return inputWidth;
  }

  /** Targets per row (1 for row datasets). */
  int positions() {
    return positions;
  }

  /** The width of one scored row: the vocabulary for text, the model's output width for row datasets. */
  int classes() {
    return classes;
  }

  /** [rows, inputWidth] model input of the batch's valid rows. */
  float[] input(Batch b) {
    if (input == null) {
      return b.x();
    }
    float[] x = b.x();
    for (int r = 0; r < b.rows(); r++) {
      System.arraycopy(x, r * sampleWidth, input, r * inputWidth, inputWidth);
    }
    return input;
  }

  /**
   * The objective's targets of the batch's valid rows: row datasets as {@code encoder} encodes them (labels or
   * values); text the [rows · positions] next-character ids.
   */
  Targets targets(Batch b, TargetEncoder encoder) {
    return targets == null ? encoder.encode(b) : encoder.encode(targets(b), b.rows() * positions);
  }

  /** [rows · positions] class ids. */
  int[] targets(Batch b) {
    if (targets == null) {
      return b.labels();
    }
    float[] x = b.x();
    int first = sampleWidth - positions;
    for (int r = 0; r < b.rows(); r++) {
      for (int p = 0; p < positions; p++) {
        targets[r * positions + p] = (int) x[r * sampleWidth + first + p];
      }
    }
    return targets;
  }
}
