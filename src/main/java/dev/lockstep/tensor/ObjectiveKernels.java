package dev.lockstep.tensor;

/**
 * Fused objective kernels that run where the model output lives, so a training step needs no output download
 * and no gradient upload: per row, the loss, gradScale · dLoss/dOutput and whether the row was predicted right,
 * in one pass; the rows' losses and hits are added on the device, in a fixed order, into an accumulator that
 * the host reads only when it asks ({@link #readAndClear}). A backend offers them through
 * {@link Backend#objectiveKernels}; the math of each {@link Kind} is that of its host class in
 * {@code dev.lockstep.objective}. One instance per rank, sized for {@code maxRows} rows.
 */
public interface ObjectiveKernels extends AutoCloseable {
  /** The objectives, with their host classes' math. */
  enum Kind {
    CROSS_ENTROPY, BINARY_CROSS_ENTROPY, MSE, MAE, HUBER, HINGE_CRAMMER_SINGER, HINGE_ONE_VS_REST, KL_DIVERGENCE
  }

  /** What counts as a row predicted right (the step's "correct"). */
  enum Hits {
    /** Nothing (regression). */
    NONE,
    /** Arg-max of the output (ties to the lowest index) equals the class id. */
    ARGMAX_CLASS,
    /** Arg-max of the output equals the arg-max of the target row. */
    ARGMAX_VALUES,
    /** Every label right: (output &gt; 0) == (target &gt; 0.5) in every column. */
    ALL_LABELS
  }

  /**
   * One objective's settings: {@code classWeights} [cols] or null (cross-entropy), {@code smoothing}
   * (cross-entropy), {@code delta} (Huber), {@code squared} (hinge).
   */
  record Spec(Kind kind, float smoothing, float[] classWeights, float delta, boolean squared) {
    public static Spec of(Kind kind) {
      return new Spec(kind, 0f, null, 0f, false);
    }
  }

  /**
   * output, grad: [rows, cols] (grad written with gradScale · dLoss/dOutput); targets: [rows] class ids stored
   * as floats when {@code classIds}, else [rows, cols] values — already checked by the caller (ids in range,
   * values in the objective's domain). Adds the rows' summed loss and hit count to the accumulator.
   */
  void rows(Spec spec, Buf output, Buf targets, boolean classIds, Hits hits, int rows, int cols, float gradScale,
            Buf grad);

  /**
   * The l2/l1 penalty over {@code w}: adds {@code lossScale · (l2·Σw² + l1·Σ|w|)} to the accumulator's loss and,
   * when {@code addGradient}, 2·l2·w + l1·sign(w) into {@code g} (same length as w).
   */
  void regularize(Buf w, Buf g, float l2, float l1, boolean addGradient, double lossScale);

  /** [loss sum, hit count] accumulated since the last call (waits for the device); clears the accumulator. */
  double[] readAndClear();

  @Override
  default void close() {}
}
