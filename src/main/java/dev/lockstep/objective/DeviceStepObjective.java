package dev.lockstep.objective;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.ObjectiveKernels;
import java.util.List;
import java.util.function.Function;

/**
 * The step objective on the device ({@link ObjectiveKernels}): per step, the targets go up (class ids as floats,
 * or value rows) and the fused kernel writes the gradient next to the output; loss and correct count stay in a
 * device accumulator until {@link #take}. The targets are checked on the host first, with the host objectives'
 * messages, since the kernels trust them.
 */
public final class DeviceStepObjective implements StepObjective {
  private final String name;
  private final ObjectiveKernels.Spec spec;
  private final ObjectiveKernels kernels;
  private final Backend backend;
  private final Function<Targets, ObjectiveKernels.Hits> hits;
  private final Buf targetBuf; // [maxElements]: ids as floats, or values
  private final float[] ids; // [maxRows] staging of class ids as floats
  private boolean stagedClassIds;
  private ObjectiveKernels.Hits stagedHits;

  /**
   * @param hits what counts as a correct row for the given targets (classification: arg-max; binary: all labels;
   *     regression: none)
   */
  DeviceStepObjective(Objective objective, ObjectiveKernels.Spec spec, ObjectiveKernels kernels, Backend backend,
                      Function<Targets, ObjectiveKernels.Hits> hits, int maxRows, int maxElements) {
    this.name = objective.name();
    this.spec = spec;
    this.kernels = kernels;
    this.backend = backend;
    this.hits = hits;
    this.targetBuf = backend.allocate(maxElements);
    this.ids = new float[maxRows];
  }

  @Override
  public void stage(Targets targets, int rows, int cols) {
    stagedClassIds = checkTargets(spec.kind(), name, targets, rows, cols);
    stagedHits = hits.apply(targets);
    if (stagedClassIds) {
      int[] c = targets.classes();
      for (int r = 0; r < rows; r++) {
        ids[r] = c[r];
      }
      backend.upload(ids, 0, targetBuf.view(0, rows));
    } else {
      backend.upload(targets.values(), 0, targetBuf.view(0, (long) rows * cols));
    }
  }

  @Override
  public void launch(Buf output, int rows, int cols, Buf grad, float gradScale) {
    if (stagedHits == null) {
      throw new IllegalStateException("device objective: launch before any targets were staged");
    }
    kernels.rows(spec, output, targetBuf.view(0, stagedClassIds ? rows : (long) rows * cols), stagedClassIds,
        stagedHits, rows, cols, gradScale, grad);
  }

  @Override
  public void regularize(Regularization reg, List<Regularization.Slice> slices, Buf params, Buf grads, int rows) {
    if (!reg.active()) {
      return;
    }
    for (Regularization.Slice s : slices) {
      kernels.regularize(params.view(s.offset(), s.length()), grads.view(s.offset(), s.length()), (float) reg.l2(),
          (float) reg.l1(), true, rows);
    }
  }

  @Override
  public double[] take() {
    return kernels.readAndClear();
  }

  @Override
  public boolean onDevice() {
    return true;
  }

  /**
   * The host objectives' target checks, without computing anything; returns whether the targets are class ids.
   * Class-id objectives (cross-entropy with hard targets, hinge) need ids in [0, cols); value objectives rows of
   * width cols, in [0, 1] for binary cross-entropy and ≥ 0 for KL divergence.
   */
  static boolean checkTargets(ObjectiveKernels.Kind kind, String name, Targets targets, int rows, int cols) {
    switch (kind) {
      case CROSS_ENTROPY:
        if (targets.classes() != null) {
          Shapes.checkClasses(name, targets, rows, cols);
          return true;
        }
        Shapes.checkValues(name, targets, rows, cols);
        return false;
      case HINGE_CRAMMER_SINGER:
      case HINGE_ONE_VS_REST:
        if (targets.classes() == null) {
          throw new IllegalArgumentException("hinge needs class targets (one class id per row), not value targets");
        }
        Shapes.checkClasses(name, targets, rows, cols);
        if (cols < 2) {
          throw new IllegalArgumentException("hinge: needs at least 2 output columns (one score per class), got "
              + cols);
        }
        return true;
      default:
        Shapes.checkValues(name, targets, rows, cols);
        float[] t = targets.values();
        int n = rows * cols;
        if (kind == ObjectiveKernels.Kind.BINARY_CROSS_ENTROPY) {
          for (int i = 0; i < n; i++) {
            if (!(t[i] >= 0f && t[i] <= 1f)) {
              throw new IllegalArgumentException("binary_cross_entropy: target " + t[i] + " at row " + i / cols
                  + ", column " + i % cols + " is outside [0, 1]");
            }
          }
        } else if (kind == ObjectiveKernels.Kind.KL_DIVERGENCE) {
          for (int i = 0; i < n; i++) {
            if (!(t[i] >= 0f)) {
              throw new IllegalArgumentException("kl_divergence: target " + (double) t[i] + " at row " + i / cols
                  + ", column " + i % cols + " is not a probability (must be >= 0)");
            }
          }
        }
        return false;
    }
  }
}
