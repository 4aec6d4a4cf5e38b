package dev.lockstep.launch;

import dev.lockstep.comm.Communicator;
import dev.lockstep.comm.MpjCommunicator;
import dev.lockstep.config.BackendConfig;
import dev.lockstep.config.ConfigException;
import dev.lockstep.config.ConfigLoader;
import dev.lockstep.config.ConfigValidator;
import dev.lockstep.config.ConfigWriter;
import dev.lockstep.config.LockstepConfig;
import dev.lockstep.data.DataException;
import dev.lockstep.metrics.ConsoleMode;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Backends;
import dev.lockstep.tensor.NoDeviceException;
import dev.lockstep.train.NonFiniteStep;
import dev.lockstep.train.RunInterrupted;
import dev.lockstep.train.StopRequest;
import dev.lockstep.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each rank runs for {@code train -c FILE [--set key=value]... [--quiet] [--json] [--run-dir DIR]}: the same arguments the launcher passes and a
 * user passes to {@code mpjrun.sh ... -jar lockstep.jar train ...}. Every rank loads the config itself (no
 * broadcast needed: same file, same overrides). {@code --resume DIR} continues from a snapshot (rank 0 reads it).
 *
 * <p>Set by the launcher only: {@code --attempt N} (the job's restart count) and one {@code --restarted
 * key=value,...} per earlier failure, for summary.json. Rank 0 tells the launcher its run directory in the job
 * directory ({@link #RUN_DIR_FILE}), where a restart finds the snapshots. SIGINT/SIGTERM stop the run at the next
 * step boundary ({@link RankSignals}); the rank then returns 128 + the signal.
 */
public final class TrainRankTask implements RankTask {
  /** In the launcher's job directory: rank 0's run directory, one line. */
  static final String RUN_DIR_FILE = "run-dir";

  @Override
  public int run(Communicator comm, String[] args) throws Exception {
    Path configFile = null;
    Path resume = null;
    Path runDir = null;
    List<String> overrides = new ArrayList<>();
    boolean quiet = false, json = false;
    int attempt = 0;
    List<Map<String, Object>> restarts = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--quiet")) {
        quiet = true;
      } else if (a.equals("--json")) {
        json = true;
      } else if ((a.equals("-c") || a.equals("--config")) && i + 1 < args.length) {
        configFile = Path.of(args[++i]);
      } else if (a.equals("--run-dir") && i + 1 < args.length) {
        runDir = Path.of(args[++i]).toAbsolutePath();
      } else if (a.equals("--resume") && i + 1 < args.length) {
        resume = Path.of(args[++i]);
      } else if (a.equals("--attempt") && i + 1 < args.length) {
        attempt = Integer.parseInt(args[++i]);
      } else if (a.equals("--restarted") && i + 1 < args.length) {
        restarts.add(restartRecord(args[++i]));
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
        // nccl reduces the gradients on the GPUs (UpdateStrategies); the small host collectives take auto's path.
        mpj.setAlgorithm(cfg.comm().algorithm().equals("nccl") ? "auto" : cfg.comm().algorithm());
      } catch (IllegalArgumentException e) {
        return usage(comm, e.getMessage()); // every rank finds the same, before any collective
      }
    }
    ConsoleMode mode = ConsoleMode.of(quiet, json, System.getenv());
    PrintStream notes = comm.rank() != 0 || mode == ConsoleMode.QUIET ? null
        : mode == ConsoleMode.JSON ? System.err : System.out; // --json: stdout carries records only
    StopRequest stop = new StopRequest();
    if (!"stdout".equals(System.getProperty(RankEntry.REPORT_PROPERTY))) {
      // Not for ranks that MPJ daemons started for the launcher on other hosts: no signal of the user's reaches them
      // there, and a daemon that stops takes its ranks down with a SIGTERM, which must fail the job, not pause it.
      RankSignals.routeTo(stop, RankEntry.jobDir() != null);
    }
    try (Backend backend = Backends.select(backendFor(cfg, notes), comm.rank(), comm.size(), notes)) {
      new Trainer(cfg, comm, backend, mode, System.out, System.err).stopOn(stop).attempt(attempt, restarts)
          .intoRunDirectory(runDir).onRunDirectory(TrainRankTask::tellLauncher).run(ConfigWriter.toYaml(cfg), resume);
    } catch (RunInterrupted e) {
      return e.exitCode(); // every rank, after rank 0 snapshotted and said how to resume
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

  /** {@code rank=1,exit=3,at_step=7,from_step=4} → a map, numbers as numbers. */
  static Map<String, Object> restartRecord(String text) {
    Map<String, Object> record = new LinkedHashMap<>();
    for (String pair : text.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        String value = pair.substring(eq + 1);
        record.put(pair.substring(0, eq), value.matches("-?\\d{1,18}") ? (Object) Long.parseLong(value)
            : value.replace('_', ' ')); // the launcher writes spaces as '_' (one token in every rank command)
      }
    }
    return record;
  }

  /** Writes rank 0's run directory into the launcher's job directory (nothing without one: MPJ's own starter). */
  private static void tellLauncher(Path runDir) {
    Path jobDir = RankEntry.jobDir();
    if (jobDir != null) {
      try {
        Files.writeString(jobDir.resolve(RUN_DIR_FILE), runDir.toAbsolutePath() + "\n");
      } catch (IOException e) {
        System.err.println("lockstep: cannot tell the launcher the run directory (" + e.getMessage() + "); a "
            + "restart would start over");
      }
    }
  }

  /**
   * backend.device auto with image layers (conv2d, pooling, dropout, batch_norm) means the CPU until their CUDA kernels
   * have passed on a GPU (they are tested bit for bit against the CPU on the host, not yet on a device):
   * {@code backend.device: cuda} asks for them explicitly. Said once where a GPU was usable.
   */
  private static BackendConfig backendFor(LockstepConfig cfg, PrintStream notes) {
    BackendConfig b = cfg.backend();
    boolean imageLayers = cfg.model().layers().stream()
        .anyMatch(l -> l.type() != null && ConfigValidator.IMAGE_LAYER_TYPES.contains(l.type()));
    if (!b.device().equals("auto") || !imageLayers) {
      return b;
    }
    if (notes != null && dev.lockstep.tensor.CudaBackend.unavailableReason().isEmpty()) {
      notes.println("lockstep: backend.device auto runs image layers on the CPU until their CUDA kernels are "
          + "validated on a GPU; backend.device: cuda uses them");
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
