package dev.lockstep.config;

/** optimizer: sgd | adam | adamw with their settings, and the learning-rate schedule. */
public record OptimizerConfig(
    String type,
    Double lr,
    Double momentum,
    Boolean nesterov,
    Double weightDecay,
    Double beta1,
    Double beta2,
    Double eps,
    ScheduleConfig schedule) {
  public OptimizerConfig {
    type = type != null ? type : "sgd";
    lr = lr != null ? lr : 0.05;
    momentum = momentum != null ? momentum : 0.9;
    nesterov = nesterov != null ? nesterov : false;
    weightDecay = weightDecay != null ? weightDecay : 0.0;
    beta1 = beta1 != null ? beta1 : 0.9;
    beta2 = beta2 != null ? beta2 : 0.999;
    eps = eps != null ? eps : 1e-8;
    schedule = schedule != null ? schedule : new ScheduleConfig(null, null, null, null, null);
  }
}
