package dev.lockstep.launch;

import dev.lockstep.comm.Communicator;
import dev.lockstep.comm.MpjCommunicator;
import dev.lockstep.config.ConfigException;
import dev.lockstep.config.BackendConfig;
import dev.lockstep.config.ConfigLoader;
import dev.lockstep.config.ConfigValidator;
import dev.lockstep.config.LockstepConfig;
import dev.lockstep.config.ConfigWriter;
import dev.lockstep.config.LockstepConfig;
import dev.lockstep.data.DataException;
import dev.lockstep.metrics.ConsoleMode;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Backends;
import dev.lockstep.tensor.NoDeviceException;
import dev.lockstep.train.NonFiniteStep;
import dev.lockstep.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What each rank runs for {@code train -c FILE [--set key=value]... [--quiet] [--json]}: the same arguments the launcher passes and a
 * user passes to {@code mpjrun.sh ... -jar lockstep.jar train ...}. Every rank loads the config itself (no
 * broadcast needed: same file, same overrides). {@code --resume DIR} continues from a snapshot (rank 0 reads it).
 */
public final class TrainRankTask implements RankTask {
  @Override
  public int run(Communicator comm, String[] args) throws Exception {
    Path configFile = null;
    Path resume = null;
    List<String> overrides = new ArrayList<>();
    boolean quiet = false, json = false;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--quiet")) {
        quiet = true;
      } else if (a.equals("--json")) {
        json = true;
      } else if ((a.equals("-c") || a.equals("--config")) && i + 1 < args.length) {
        configFile = Path.of(args[++i]);
      } else if (a.equals("--resume") && i + 1 < args.length) {
        resume = Path.of(args[++i]);
      } else if (a.equals("--set") && i + 1 < args.length) {
        overrides.add(args[++i]);
      } else if (a.startsWith("--set=")) {
        overrides.add(a.substring("--set=".length()));
      } else {
        return usage(comm, "unexpected argument '" + a + "'");
      }
    }
    if (configFile == null) {
      return usage(comm, "missing -c FILE");
    }
    LockstepConfig cfg;
    try {
      cfg = ConfigLoader.load(configFile, overrides);
    } catch (ConfigException e) {
      return usage(comm, e.getMessage());
    }
    if (comm instanceof MpjCommunicator mpj) {
      mpj.setTimeoutSeconds(cfg.comm().timeoutS());
      mpj.setWarnAfterSeconds(cfg.comm().warnAfterS());
      try {
        mpj.setAlgorithm(cfg.comm().algorithm());
      } catch (IllegalArgumentException e) {
        return usage(comm, e.getMessage()); // every rank finds the same, before any collective
      }
    }
    ConsoleMode mode = ConsoleMode.of(quiet, json, System.getenv());
    PrintStream notes = comm.rank() != 0 || mode == ConsoleMode.QUIET ? null
        : mode == ConsoleMode.JSON ? System.err : System.out; // --json: stdout carries records only
    try (Backend backend = Backends.select(backendFor(cfg, notes), comm.rank(), comm.size(), notes)) {
      new Trainer(cfg, comm, backend, mode, System.out, System.err).run(ConfigWriter.toYaml(cfg), resume);
    } catch (NoDeviceException e) {
      usage(comm, e.getMessage());
      return 4;
    } catch (NonFiniteStep.Stop e) {
      // Every rank stops at the same step for the same reason (the check runs on allreduced data); say it once.
      usage(comm, e.getMessage());
      return ExitCodes.RANK_FAILED;
    } catch (DataException | IllegalArgumentException e) {
      // Bad data or a config that does not fit the data: every rank finds the same, before any collective.
      return usage(comm, e.getMessage());
    }
    return 0;
  }

  /**
   * backend.device auto with image layers (conv2d, pooling, dropout, batch_norm) means the CPU: their CUDA kernels
   * are not written yet, and a GPU run would stop at its first image layer. Said once where a GPU was usable.
   */
  private static BackendConfig backendFor(LockstepConfig cfg, PrintStream notes) {
    BackendConfig b = cfg.backend();
    boolean imageLayers = cfg.model().layers().stream()
        .anyMatch(l -> l.type() != null && ConfigValidator.IMAGE_LAYER_TYPES.contains(l.type()));
    if (!b.device().equals("auto") || !imageLayers) {
      return b;
    }
    if (notes != null && dev.lockstep.tensor.CudaBackend.unavailableReason().isEmpty()) {
      notes.println("lockstep: image layers run on the cpu backend only so far; backend.device auto uses the CPU");
    }
    return new BackendConfig("cpu", b.threads(), b.tf32());
  }

  /**
   * Rank 0 reports a setup error that every rank found alike (same config, same data); the barrier makes the
   * others wait until it has printed, since the first rank to return ends a multicore job.
   */
  private static int usage(Communicator comm, String message) {
    if (comm.rank() == 0) {
      System.err.println("lockstep: " + message);
      System.err.flush();
    }
    comm.barrier();
    return 2;
  }
}
