package dev.lockstep.train;

import dev.lockstep.comm.Communicator;
import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Parameters;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.state.ConfigFingerprint;
import dev.lockstep.state.Snapshot;
import dev.lockstep.state.SnapshotException;
import dev.lockstep.state.SnapshotReader;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code train --resume RUN_DIR|SNAPSHOT_DIR}: rank 0 finds, verifies and checks the snapshot against this run
 * (model shape, config hash), then broadcasts it; every rank loads weights, optimizer state and step count and
 * continues at the snapshot's position in the data order. A refused snapshot ends every rank with the same
 * {@link SnapshotException} (exit 2) before anything is written.
 *
 * <p>Same number of ranks: the run continues bit for bit as if never interrupted. Different number (sync mode
 * allows it): the global batch, and with it each rank's slice of the data order, the steps per epoch and the
 * learning-rate horizon, change; the epoch continues at the first global batch not yet started (up to one global
 * batch of samples of the interrupted epoch is skipped).
 */
final class Resume {
  /** Where training starts: {@code step} steps done; next is step {@code stepInEpoch} of epoch {@code epoch}. */
  record Start(boolean resumed, long step, int epoch, int stepInEpoch, Path runDir, Path snapshotDir,
               int snapshotRanks) {
    static final Start FRESH = new Start(false, 0, 0, 0, null, null, 0);

    /**
     * The run's length in steps: {@code planned} (epochs × steps per epoch, capped by max_steps) unless the number
     * of ranks changed, in which case the remaining epochs are counted at the new steps per epoch.
     */
    long totalSteps(long planned, long stepsPerEpoch, int ranks, dev.lockstep.config.RunConfig run) {
      if (!resumed() || snapshotRanks == ranks) {
        return planned;
      }
      long total = step + (stepsPerEpoch - stepInEpoch) + stepsPerEpoch * (run.epochs() - epoch - 1L);
      return run.maxSteps() > 0 ? Math.min(total, run.maxSteps()) : total;
    }
  }

  private static final int OK = 0, STEP = 1, EPOCH = 2, STEP_IN_EPOCH = 3, OPT_STEPS = 4, RANKS = 5, BATCH = 6;

  private Resume() {}

  /** Collective. {@code runDir} and {@code snapshotDir} of the result are set on rank 0 only. */
  static Start restore(Path from, String configYaml, Communicator comm, Backend backend, Parameters params,
                       Optimizer optimizer, int batchPerRank, int stepsPerEpoch, Consumer<String> say) {
    Snapshot snap = null;
    SnapshotException refusal = null;
    Path dir = null;
    long[] header = new long[BATCH + 1];
    if (comm.rank() == 0) {
      try {
        dir = SnapshotReader.locate(from);
        snap = SnapshotReader.read(dir);
        check(dir, snap, configYaml, params, optimizer);
        header[OK] = 1;
        header[STEP] = snap.position().step();
        header[EPOCH] = snap.position().epoch();
        header[STEP_IN_EPOCH] = snap.position().stepInEpoch();
        header[OPT_STEPS] = snap.optimizerSteps();
        header[RANKS] = snap.position().ranks();
        header[BATCH] = snap.position().batchPerRank();
      } catch (SnapshotException e) {
        refusal = e;
      }
    }
    comm.allreduceSum(header); // rank 0's values; the others add zeros
    if (header[OK] != 1) {
      throw refusal != null ? refusal : new SnapshotException("rank 0 refused the snapshot");
    }
    float[] host = comm.rank() == 0 ? snap.weights() : new float[params.length()];
    comm.broadcast(host, 0, host.length, 0);
    params.upload(host);
    List<Buf> state = optimizer.stateBuffers();
    for (int i = 0; i < state.size(); i++) {
      float[] s = comm.rank() == 0 ? snap.optimizerState().get(i) : new float[params.length()];
      comm.broadcast(s, 0, s.length, 0);
      backend.upload(s, 0, state.get(i));
    }
    optimizer.setStepCount(header[OPT_STEPS]);
    float[] buffers = comm.rank() == 0 ? snap.buffers() : new float[params.bufferLength()];
    comm.broadcast(buffers, 0, buffers.length, 0);
    params.uploadBuffers(buffers);

    int epoch = (int) header[EPOCH];
    int stepInEpoch = (int) header[STEP_IN_EPOCH];
    int oldRanks = (int) header[RANKS];
    if (oldRanks != comm.size()) {
      long samples = (long) stepInEpoch * oldRanks * header[BATCH];
      long global = (long) comm.size() * batchPerRank;
      stepInEpoch = (int) Math.min(stepsPerEpoch, (samples + global - 1) / global);
      say.accept(String.format("resume: %d ranks instead of the snapshot's %d: the global batch is %d (was %d), "
          + "so each rank's slice of the data order, the steps per epoch (%d) and the learning-rate horizon change; "
          + "epoch %d continues at sample %d of its order (snapshot: sample %d)", comm.size(), oldRanks, global,
          oldRanks * header[BATCH], stepsPerEpoch, epoch + 1, stepInEpoch * global, samples));
    }
    say.accept(String.format("resume: from %s at step %d (epoch %d, step %d of the epoch)", dir, header[STEP],
        epoch + 1, stepInEpoch));
    Path runDir = dir == null ? null : SnapshotReader.runDirectoryOf(dir);
    return new Start(true, header[STEP], epoch, stepInEpoch, runDir, dir, oldRanks);
  }

  /** Refuses a snapshot of another model or another trajectory-deciding config, saying what differs. */
  private static void check(Path dir, Snapshot snap, String configYaml, Parameters params, Optimizer optimizer) {
    SnapshotReader.runDirectoryOf(dir); // it must belong to a run directory we can continue
    List<String> differ = ConfigFingerprint.differences(snap.configYaml(), configYaml);
    if (!differ.isEmpty()) {
      throw new SnapshotException("--resume: " + dir + " was made with a different config (hash " + snap.configHash()
          + ", this run " + ConfigFingerprint.hash(configYaml) + "): " + String.join("; ", differ)
          + ". Only " + String.join(", ", ConfigFingerprint.MAY_CHANGE).replace(".,", ".*,") + " may change");
    }
    if (snap.parameterCount() != params.length() || !snap.layers().equals(params.layerRanges())
        || snap.buffers().length != params.bufferLength()) {
      throw new SnapshotException("--resume: " + dir + " holds a different model: " + describe(snap.layers(),
          snap.parameterCount()) + ", this run builds " + describe(params.layerRanges(), params.length()));
    }
    if (!snap.optimizerType().equals(optimizer.name()) || snap.optimizerState().size()
        != optimizer.stateBuffers().size()) {
      throw new SnapshotException("--resume: " + dir + " holds " + snap.optimizerType() + " state ("
          + snap.optimizerState().size() + " buffers), this run uses " + optimizer.name() + " ("
          + optimizer.stateBuffers().size() + ")");
    }
  }

  private static String describe(List<LayerRange> layers, long count) {
    return count + " parameters in " + String.join(", ", layers.stream().map(LayerRange::name).toList());
  }
}
