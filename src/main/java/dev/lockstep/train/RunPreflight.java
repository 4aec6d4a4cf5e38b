package dev.lockstep.train;

import dev.lockstep.config.ConfigLoader;
import dev.lockstep.config.ConfigProblem;
import dev.lockstep.config.ConfigWriter;
import dev.lockstep.config.DataConfig;
import dev.lockstep.config.LockstepConfig;
import dev.lockstep.data.DataException;
import dev.lockstep.data.Datasets;
import dev.lockstep.data.IdxReader;
import dev.lockstep.data.TextCorpus;
import dev.lockstep.state.ConfigFingerprint;
import dev.lockstep.state.Snapshot;
import dev.lockstep.state.SnapshotException;
import dev.lockstep.state.SnapshotReader;
import dev.lockstep.tensor.Backends;
import dev.lockstep.tensor.NoDeviceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a run needs from this machine, checked once in the launcher before any rank starts (and by {@code doctor}):
 * the data files of the configured format (read as far as needed to count the training samples), the global batch
 * against that count, where the run directory goes, the {@code --resume} snapshot and its config, a demanded GPU,
 * and ranks against cores. Each problem is one line naming the key path and where it was set (file:line or the
 * {@code --set}); nothing is created, so a refused run leaves nothing behind.
 *
 * <p>The ranks check the same things again when they load (a user may start them with MPJ's own starter): this is
 * the fast path that keeps the usual mistakes from starting N JVMs first.
 */
public final class RunPreflight {
  public enum Status { OK, WARN, FAIL }

  /** One check's verdict: {@code exitCode} is what a run refused for it exits with (2, or 4 for a device). */
  public record Check(Status status, String topic, String message, int exitCode) {
    static Check ok(String topic, String message) {
      return new Check(Status.OK, topic, message, 0);
    }

    static Check warn(String topic, String message) {
      return new Check(Status.WARN, topic, message, 0);
    }

    static Check fail(String topic, String message) {
      return new Check(Status.FAIL, topic, message, 2);
    }
  }

  /**
   * What the run will be: ranks, whether they all run on this machine, the snapshot to continue (or null), and the
   * run directory --run-dir chose (or null: one under run.out_dir).
   */
  public record Plan(int np, boolean onThisMachine, Path resume, Path runDir) {
    public Plan(int np, boolean onThisMachine, Path resume) {
      this(np, onThisMachine, resume, null);
    }
  }

  /** "data.csv.target: must name ..." → the key path and the rest. */
  private static final Pattern KEYED = Pattern.compile("^(data(?:\\.[a-z_]+)+): (.*)$", Pattern.DOTALL);

  private final LockstepConfig cfg;
  private final ConfigLoader.Located located;

  private RunPreflight(ConfigLoader.Located located) {
    this.located = located;
    this.cfg = located.config();
  }

  /** Every check, in order; a check that depends on a failed one (the batch on the data) is left out. */
  public static List<Check> checks(ConfigLoader.Located config, Plan plan) {
    return new RunPreflight(config).run(plan);
  }

  /** The first failing check, if any. */
  public static java.util.Optional<Check> firstFailure(List<Check> checks) {
    return checks.stream().filter(c -> c.status() == Status.FAIL).findFirst();
  }

  private List<Check> run(Plan plan) {
    List<Check> out = new ArrayList<>();
    if (plan.onThisMachine()) {
      long[] samples = {-1};
      Check data = data(samples);
      out.add(data);
      if (data.status() == Status.OK && samples[0] >= 0) {
        out.add(batch(samples[0], plan.np()));
      }
      out.add(plan.resume() == null ? output(plan.runDir()) : resume(plan.resume()));
      if (Runtime.getRuntime().availableProcessors() < plan.np()) {
        out.add(Check.warn("cores", String.format(Locale.ROOT, "%d ranks on %d cores: oversubscribed, so every "
            + "step waits for ranks that share a core (fine for testing, slow for training)", plan.np(),
            Runtime.getRuntime().availableProcessors())));
      }
    } else if (plan.resume() != null) {
      out.add(resume(plan.resume()));
    }
    if (cfg.backend().device().equals("cuda")) {
      out.add(device(plan.np()));
    }
    return out;
  }

  private String at(String key, String message) {
    return located.where().describe(new ConfigProblem(key, message));
  }

  /** A data loader's message, placed at the key it names or else at {@code key}. */
  private String atData(String key, DataException e) {
    Matcher m = KEYED.matcher(e.getMessage());
    return m.matches() ? at(m.group(1), m.group(2)) : at(key, e.getMessage());
  }

  /** The configured data, and the number of training samples into {@code samples[0]} (-1: not counted). */
  private Check data(long[] samples) {
    DataConfig d = cfg.data();
    try {
      switch (d.format()) {
        case "idx" -> {
          Path dir = Path.of(d.dir());
          if (!Files.isDirectory(dir)) {
            return Check.fail("data", at("data.dir", (Files.exists(dir) ? "not a directory: " : "no such directory: ")
                + dir));
          }
          String[][] files = {{"data.train_images", d.trainImages()}, {"data.train_labels", d.trainLabels()},
              {"data.test_images", d.testImages()}, {"data.test_labels", d.testLabels()}};
          int[] counts = new int[files.length];
          for (int i = 0; i < files.length; i++) {
            Path f = dir.resolve(files[i][1]);
            if (!Files.isRegularFile(f) || !Files.isReadable(f)) {
              return Check.fail("data", at(files[i][0], f + (Files.exists(f) ? " is not a readable file"
                  : " not found (data.dir is " + dir + ")")));
            }
            try {
              counts[i] = IdxReader.dims(f)[0];
            } catch (DataException e) {
              return Check.fail("data", at(files[i][0], e.getMessage()));
            }
          }
          if (counts[0] != counts[1]) {
            return Check.fail("data", at("data.train_labels", counts[0] + " images but " + counts[1] + " labels"));
          }
          samples[0] = d.limitTrain() > 0 ? Math.min(d.limitTrain(), counts[0]) : counts[0];
          return Check.ok("data", String.format(Locale.ROOT, "%s: the four IDX files, %d training samples", dir,
              samples[0]));
        }
        case "csv" -> {
          for (String[] f : new String[][] {{"data.csv.train_file", d.csv().trainFile()},
              {"data.csv.test_file", d.csv().testFile()}}) {
            if (!f[1].isBlank() && !Files.isRegularFile(Path.of(f[1]))) {
              return Check.fail("data", at(f[0], "file " + f[1] + (Files.exists(Path.of(f[1])) ? ": not a regular "
                  + "file" : ": not found") + " (relative to " + Path.of("").toAbsolutePath() + ")"));
            }
          }
          samples[0] = Datasets.load(d).train().size();
          return Check.ok("data", String.format(Locale.ROOT, "%s: %d training samples", d.csv().trainFile(),
              samples[0]));
        }
        case "text" -> {
          if (!Files.exists(Path.of(d.path()))) {
            return Check.fail("data", at("data.path", "no such file or directory: " + d.path()));
          }
          TextCorpus corpus = TextCorpus.load(d);
          return Check.ok("data", String.format(Locale.ROOT, "%s: %d training characters", d.path(),
              corpus.trainIds().length));
        }
        default -> {
          samples[0] = d.synthetic().trainSamples();
          return Check.ok("data", "synthetic " + d.synthetic().task() + " task, " + samples[0] + " training samples");
        }
      }
    } catch (DataException e) {
      String key = switch (d.format()) {
        case "csv" -> "data.csv.train_file";
        case "text" -> "data.path";
        default -> "data.dir";
      };
      return Check.fail("data", atData(key, e));
    }
  }

  /** Trainer's rule: an epoch needs at least one full global batch. */
  private Check batch(long samples, int np) {
    long global = (long) np * cfg.data().batchSize();
    if (global > samples) {
      return Check.fail("batch", at("data.batch_size", String.format(Locale.ROOT, "%d ranks × %d per rank = %d "
          + "exceeds the %d training samples: no full step fits in an epoch", np, cfg.data().batchSize(), global,
          samples)));
    }
    return Check.ok("batch", String.format(Locale.ROOT, "global batch %d (%d ranks × %d): %d steps per epoch", global,
        np, cfg.data().batchSize(), samples / global));
  }

  /**
   * run.out_dir, or the --run-dir {@code chosen}: an existing writable directory, or one that can be created (nothing
   * is created here).
   */
  private Check output(Path chosen) {
    Path out = (chosen != null ? chosen : Path.of(cfg.run().outDir())).toAbsolutePath().normalize();
    Path existing = out;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    String problem = existing == null ? "no existing parent directory"
        : !Files.isDirectory(existing) ? existing + " is not a directory"
        : writeProblem(existing);
    if (problem != null) {
      return Check.fail("output", chosen != null ? "--run-dir: cannot create " + out + ": " + problem
          : at("run.out_dir", "cannot create the run directory under " + out + ": " + problem));
    }
    return Check.ok("output", out + (existing.equals(out) ? " is writable" : " can be created"));
  }

  /** Why nothing can be written in {@code dir}, or null. A probe file, not permission bits (root, ACLs, ro mounts). */
  static String writeProblem(Path dir) {
    try {
      Path probe = Files.createTempFile(dir, ".lockstep-preflight-", ".probe");
      Files.delete(probe);
      return null;
    } catch (IOException | SecurityException e) {
      return "cannot write in " + dir + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
    }
  }

  /** The snapshot {@code --resume} names, its run directory writable, and its config compatible with this one. */
  private Check resume(Path from) {
    try {
      Path dir = SnapshotReader.locate(from);
      Path runDir = SnapshotReader.runDirectoryOf(dir);
      Snapshot snap = SnapshotReader.read(dir);
      String yaml = ConfigWriter.toYaml(cfg);
      List<String> differ = ConfigFingerprint.differences(snap.configYaml(), yaml);
      if (!differ.isEmpty()) {
        return Check.fail("resume", "--resume: " + dir + " was made with a different config: "
            + String.join("; ", differ) + ". Only " + String.join(", ", ConfigFingerprint.MAY_CHANGE)
            .replace(".,", ".*,") + " may change");
      }
      String problem = writeProblem(runDir);
      if (problem != null) {
        return Check.fail("resume", "--resume: the run directory " + runDir + " cannot be continued: " + problem);
      }
      return Check.ok("resume", dir + ": step " + snap.position().step() + ", config compatible");
    } catch (SnapshotException e) {
      return Check.fail("resume", e.getMessage());
    }
  }

  private Check device(int np) {
    try {
      return Check.ok("device", Backends.describeChoice(cfg.backend(), np));
    } catch (NoDeviceException e) {
      return new Check(Status.FAIL, "device", at("backend.device", "cuda is demanded but no GPU is usable: "
          + e.getMessage().replaceFirst("^backend\\.device is cuda but no GPU is usable: ", "")), 4);
    }
  }
}
