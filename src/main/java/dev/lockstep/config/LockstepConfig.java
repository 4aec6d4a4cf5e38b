package dev.lockstep.config;

/**
 * The whole run, as read from YAML (snake_case keys) with defaults filled in. Immutable; a missing section
 * means all of its defaults. Range checks live in {@link ConfigValidator}, which names key path and line.
 */
public record LockstepConfig(
    RunConfig run,
    ModelConfig model,
    DataConfig data,
    ObjectiveConfig objective,
    OptimizerConfig optimizer,
    UpdateConfig update,
    CheckpointingConfig checkpointing,
    BackendConfig backend,
    OutputConfig output,
    CommConfig comm) {

  public LockstepConfig {
    run = run != null ? run : new RunConfig(null, null, null, null, null);
    model = model != null ? model : new ModelConfig(null);
    data = data != null ? data : new DataConfig(null, null, null, null, null, null, null, null, null, null, null, null, null);
    objective = objective != null ? objective : new ObjectiveConfig(null);
    optimizer = optimizer != null ? optimizer : new OptimizerConfig(null, null, null, null, null, null, null, null, null);
    update = update != null ? update : new UpdateConfig(null, null);
    checkpointing = checkpointing != null ? checkpointing : new CheckpointingConfig(null);
    backend = backend != null ? backend : new BackendConfig(null, null, null);
    output = output != null ? output : new OutputConfig(null, null);
    comm = comm != null ? comm : new CommConfig(null, null, null);
  }
}
