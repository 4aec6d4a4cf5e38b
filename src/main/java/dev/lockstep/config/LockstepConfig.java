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
    CommConfig comm,
    SimulateConfig simulate) {

  /** The form without a simulate section (nothing injected). */
  public LockstepConfig(RunConfig run, ModelConfig model, DataConfig data, ObjectiveConfig objective,
                        OptimizerConfig optimizer, UpdateConfig update, CheckpointingConfig checkpointing,
                        BackendConfig backend, OutputConfig output, CommConfig comm) {
    this(run, model, data, objective, optimizer, update, checkpointing, backend, output, comm, null);
  }

  public LockstepConfig {
    run = run != null ? run : new RunConfig(null, null, null, null, null);
    model = model != null ? model : new ModelConfig(null);
    data = data != null ? data
        : new DataConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null);
    objective = objective != null ? objective : ObjectiveConfig.of(null);
    optimizer = optimizer != null ? optimizer : new OptimizerConfig(null, null, null, null, null, null, null, null, null);
    update = update != null ? update : new UpdateConfig(null, null, null, null, null);
    checkpointing = checkpointing != null ? checkpointing : new CheckpointingConfig(null, null);
    backend = backend != null ? backend : new BackendConfig(null, null, null);
    output = output != null ? output : new OutputConfig(null, null, null, null, null, null, null, null);
    comm = comm != null ? comm : new CommConfig(null, null, null, null);
    simulate = simulate != null ? simulate : new SimulateConfig(null, null);
  }
}
