package dev.lockstep.state;

import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Parameters;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a run needs to continue exactly where it stood (see {@link SnapshotWriter} for the files): the
 * position, the weights, the optimizer's state buffers and step count, the learning-rate schedule's position, and
 * the effective config with its hash. Weights and optimizer state are identical on every rank in sync mode, so one
 * copy (rank 0's) is the whole model state.
 *
 * <p>Random state: none is rank-specific. Initialisation draws from run.seed once (overwritten on resume) and the
 * epoch's shuffle is a pure function of (run.seed, epoch); dropout's mask is a hash of (run.seed, layer, step, global
 * row), generator-free. So the
 * position is the only "RNG state" there is, and the manifest says so.
 */
public record Snapshot(
    TrainingPosition position,
    String optimizerType,
    long optimizerSteps,
    float[] weights, // [parameters]
    List<float[]> optimizerState, // each [parameters], in Optimizer.stateBuffers() order
    float[] buffers, // [Parameters.bufferLength()]: batch norm's running statistics; empty for most models
    List<LayerRange> layers,
    String scheduleType,
    long totalSteps,
    double nextLr,
    String configYaml,
    String configHash) {

  public static final String RNG_NOTE = "no rank-specific random state: init draws from run.seed once, the epoch "
      + "order is a function of (run.seed, epoch), dropout masks are a hash of (run.seed, layer, step, global row)";

  /** A snapshot of a model without buffers (no batch norm). */
  public Snapshot(TrainingPosition position, String optimizerType, long optimizerSteps, float[] weights,
                  List<float[]> optimizerState, List<LayerRange> layers, String scheduleType, long totalSteps,
                  double nextLr, String configYaml, String configHash) {
    this(position, optimizerType, optimizerSteps, weights, optimizerState, new float[0], layers, scheduleType,
        totalSteps, nextLr, configYaml, configHash);
  }

  /** A copy of this rank's state (call on rank 0; every rank holds the same in sync mode). */
  public static Snapshot capture(TrainingPosition position, Parameters params, Optimizer optimizer, Backend backend,
                                 String scheduleType, long totalSteps, double nextLr, String configYaml) {
    List<float[]> state = new ArrayList<>();
    for (Buf b : optimizer.stateBuffers()) {
      float[] host = new float[Math.toIntExact(b.length())];
      backend.download(b, host, 0);
      state.add(host);
    }
    return new Snapshot(position, optimizer.name(), optimizer.stepCount(), params.download(), state,
        params.downloadBuffers(), params.layerRanges(), scheduleType, totalSteps, nextLr, configYaml, ConfigFingerprint.hash(configYaml));
  }

  public long parameterCount() {
    return weights.length;
  }
}
