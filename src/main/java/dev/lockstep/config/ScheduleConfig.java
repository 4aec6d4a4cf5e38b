package dev.lockstep.config;

/**
 * optimizer.schedule: constant | step (lr·gamma^⌊(step − warmup_steps)/step_size⌋) | cosine (down to min_lr over the run),
 * each after {@code warmup_steps} of linear warm-up from 0.
 */
public record ScheduleConfig(String type, Long warmupSteps, Long stepSize, Double gamma, Double minLr) {
  public ScheduleConfig {
    type = type != null ? type : "constant";
    warmupSteps = warmupSteps != null ? warmupSteps : 0L;
    stepSize = stepSize != null ? stepSize : 1000L;
    gamma = gamma != null ? gamma : 0.1;
    minLr = minLr != null ? minLr : 0.0;
  }
}
