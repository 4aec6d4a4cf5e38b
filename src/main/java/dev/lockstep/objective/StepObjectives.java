package dev.lockstep.objective;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.ObjectiveKernels;
import java.util.function.Function;

/**
 * Picks where a run's objective is computed: on the device when the objective has a fused kernel
 * ({@link Objective#deviceSpec}) and the backend offers objective kernels ({@link Backend#objectiveKernels}: CUDA),
 * otherwise on the host (the CPU backend, whose buffers are host memory).
 */
public final class StepObjectives {
  private StepObjectives() {}

  /**
   * @param maxRows      the most scored rows a step passes (batch per rank × positions)
   * @param cols         the width of a scored row
   * @param hostCorrect  the correct count on the host path
   * @param deviceHits   the same rule for the device kernels, given a step's targets
   */
  public static StepObjective create(Objective objective, Backend backend, int maxRows, int cols,
                                     StepObjective.HostCorrect hostCorrect,
                                     Function<Targets, ObjectiveKernels.Hits> deviceHits) {
    int maxElements = Math.multiplyExact(maxRows, cols);
    ObjectiveKernels.Spec spec = objective.deviceSpec();
    ObjectiveKernels kernels = spec == null ? null : backend.objectiveKernels(maxRows);
    if (kernels == null) {
      return new HostStepObjective(objective, backend, hostCorrect, maxElements);
    }
    return new DeviceStepObjective(objective, spec, kernels, backend, deviceHits, maxRows, maxElements);
  }
}
