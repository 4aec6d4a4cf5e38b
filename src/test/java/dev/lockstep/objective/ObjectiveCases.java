package dev.lockstep.objective;

import dev.lockstep.tensor.ObjectiveKernels;
import dev.lockstep.tensor.TestSeed;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Every objective with random settings, targets and shapes (odd ones, one column, wider than a warp), for the
 * tests that compare a step objective with the host objective code: the host path here, the device kernels on a
 * GPU. Logits span [-8, 8] so softmax rows are far from uniform; ties are rare but both sides break them alike.
 */
final class ObjectiveCases {
  private ObjectiveCases() {}

  /** One objective on one batch; {@code hits}: the classification rule the device kernel is given. */
  record Case(String label, Objective objective, Targets targets, int rows, int cols, float[] output,
              ObjectiveKernels.Hits hits) {}

  static List<Case> all(SplittableRandom rng) {
    List<Case> cases = new ArrayList<>();
    int[][] shapes = {{1, 2}, {37, 10}, {300, 3}, {129, 65}, {8, 100}, {1 + rng.nextInt(200), 2 + rng.nextInt(70)}};
    for (int[] s : shapes) {
      int r = s[0], c = s[1];
      double eps = rng.nextDouble(0.01, 0.4);
      float[] w = TestSeed.uniform(rng, c, 0.1, 3);
      add(cases, "ce", new CrossEntropy(), Targets.ofClasses(classes(rng, r, c)), r, c, rng,
          ObjectiveKernels.Hits.ARGMAX_CLASS);
      add(cases, "ce smoothing+weights", new CrossEntropy(eps, w), Targets.ofClasses(classes(rng, r, c)), r, c, rng,
          ObjectiveKernels.Hits.ARGMAX_CLASS);
      add(cases, "ce soft targets smoothing+weights", new CrossEntropy(eps, w), values(rng, r, c, 0, 1), r, c, rng,
          ObjectiveKernels.Hits.ARGMAX_VALUES);
      add(cases, "kl", new KlDivergence(), distributions(rng, r, c), r, c, rng, ObjectiveKernels.Hits.ARGMAX_VALUES);
      for (boolean squared : new boolean[] {false, true}) {
        add(cases, "hinge crammer-singer squared=" + squared, new Hinge(true, squared),
            Targets.ofClasses(classes(rng, r, c)), r, c, rng, ObjectiveKernels.Hits.ARGMAX_CLASS);
        add(cases, "hinge one-vs-rest squared=" + squared, new Hinge(false, squared),
            Targets.ofClasses(classes(rng, r, c)), r, c, rng, ObjectiveKernels.Hits.ARGMAX_CLASS);
      }
      float[] bce = new float[r * c];
      for (int i = 0; i < bce.length; i++) {
        bce[i] = rng.nextBoolean() ? (rng.nextBoolean() ? 1f : 0f) : (float) rng.nextDouble();
      }
      add(cases, "bce", new BinaryCrossEntropy(), Targets.ofValues(bce, c), r, c, rng,
          ObjectiveKernels.Hits.ALL_LABELS);
      add(cases, "mse", new MeanSquaredError(), values(rng, r, c, -5, 5), r, c, rng, ObjectiveKernels.Hits.NONE);
      add(cases, "mae", new MeanAbsoluteError(), values(rng, r, c, -5, 5), r, c, rng, ObjectiveKernels.Hits.NONE);
      add(cases, "huber", new Huber(rng.nextDouble(0.2, 3)), values(rng, r, c, -5, 5), r, c, rng,
          ObjectiveKernels.Hits.NONE);
    }
    // one column: binary cross-entropy's single logit, regression of one value
    add(cases, "bce one column", new BinaryCrossEntropy(), values(rng, 53, 1, 0, 1), 53, 1, rng,
        ObjectiveKernels.Hits.ALL_LABELS);
    add(cases, "mse one column", new MeanSquaredError(), values(rng, 53, 1, -3, 3), 53, 1, rng,
        ObjectiveKernels.Hits.NONE);
    return cases;
  }

  private static void add(List<Case> cases, String label, Objective o, Targets t, int rows, int cols,
                          SplittableRandom rng, ObjectiveKernels.Hits hits) {
    cases.add(new Case(label + " [" + rows + "x" + cols + "]", o, t, rows, cols,
        TestSeed.uniform(rng, rows * cols, -8, 8), hits));
  }

  static int[] classes(SplittableRandom rng, int rows, int cols) {
    int[] ids = new int[rows];
    for (int r = 0; r < rows; r++) {
      ids[r] = rng.nextInt(cols);
    }
    return ids;
  }

  private static Targets values(SplittableRandom rng, int rows, int cols, double lo, double hi) {
    return Targets.ofValues(TestSeed.uniform(rng, rows * cols, lo, hi), cols);
  }

  /** Rows of non-negative entries summing to 1, with some exact zeros (0·log 0 = 0). */
  private static Targets distributions(SplittableRandom rng, int rows, int cols) {
    float[] t = TestSeed.uniform(rng, rows * cols, 0, 1);
    for (int r = 0; r < rows; r++) {
      double sum = 0;
      for (int c = 0; c < cols; c++) {
        if (rng.nextInt(4) == 0) {
          t[r * cols + c] = 0f;
        }
        sum += t[r * cols + c];
      }
      for (int c = 0; c < cols; c++) {
        t[r * cols + c] = sum == 0 ? 1f / cols : (float) (t[r * cols + c] / sum);
      }
    }
    return Targets.ofValues(t, cols);
  }

  /** The host rule for the step's correct count matching {@code hits} (what the trainer's Task does). */
  static int hostCorrect(ObjectiveKernels.Hits hits, float[] out, Targets t, int rows, int cols) {
    return switch (hits) {
      case NONE -> 0;
      case ARGMAX_CLASS, ARGMAX_VALUES -> Accuracy.correct(out, t, rows, cols);
      case ALL_LABELS -> {
        int n = 0;
        for (int r = 0; r < rows; r++) {
          boolean all = true;
          for (int c = 0; c < cols; c++) {
            all &= (out[r * cols + c] > 0) == (t.values()[r * cols + c] > 0.5f);
          }
          n += all ? 1 : 0;
        }
        yield n;
      }
    };
  }
}
