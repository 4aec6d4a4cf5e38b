package dev.lockstep.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Ranges, enums and features not built yet, each problem named by key path (lines are added by
 * {@link ConfigLoader}, which knows the file). Types were already checked by binding.
 */
public final class ConfigValidator {
  public static final List<String> DATA_FORMATS = List.of("idx");
  public static final List<String> NORMALIZE = List.of("none", "unit", "standard");
  public static final List<String> OBJECTIVES = List.of("cross_entropy", "mse");
  public static final List<String> OPTIMIZERS = List.of("sgd", "adam", "adamw");
  public static final List<String> SCHEDULES = List.of("constant", "step", "cosine");
  public static final List<String> UPDATE_MODES = List.of("sync");
  public static final List<String> DEVICES = List.of("auto", "cpu", "cuda");
  public static final List<String> COMM_ALGORITHMS = List.of("auto", "shm", "ring", "mpj");
  public static final List<String> LAYER_TYPES = List.of("linear", "relu", "tanh", "sigmoid", "gelu");
  public static final List<String> INITS = List.of("he", "xavier");

  /** Values the design names whose implementation has not landed: rejected with "not implemented yet". */
  private static final List<String> PLANNED_DATA_FORMATS = List.of("csv", "text", "synthetic");
  private static final List<String> PLANNED_UPDATE_MODES = List.of("async", "auto");

  private static final Pattern RUN_NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern SEGMENT_COUNT = Pattern.compile("[1-9][0-9]*");

  private ConfigValidator() {}

  /** Every problem in {@code c}, in file order of sections; empty when the config is usable. */
  public static List<ConfigProblem> problems(LockstepConfig c) {
    Checks k = new Checks();
    run(k, c.run());
    model(k, c.model());
    data(k, c.data());
    k.oneOf("objective.type", c.objective().type(), OBJECTIVES);
    optimizer(k, c.optimizer());
    update(k, c.update());
    checkpointing(k, c.checkpointing());
    backend(k, c.backend());
    k.atLeast("output.log_every", c.output().logEvery(), 1);
    k.above("comm.timeout_s", c.comm().timeoutS(), 0);
    k.oneOf("comm.algorithm", c.comm().algorithm(), COMM_ALGORITHMS);
    k.atLeast("comm.bucket_mb", c.comm().bucketMb(), 0.0);
    return k.problems;
  }

  private static void run(Checks k, RunConfig r) {
    if (!RUN_NAME.matcher(r.name()).matches()) {
      k.fail("run.name", "must be letters, digits, '.', '_' or '-' (it names the run directory; got "
          + quote(r.name()) + ")");
    }
    k.atLeast("run.epochs", r.epochs(), 1);
    k.atLeast("run.max_steps", r.maxSteps(), 0);
    k.notBlank("run.out_dir", r.outDir());
  }

  private static void model(Checks k, ModelConfig m) {
    if (m.layers().isEmpty()) {
      k.fail("model.layers", "must list at least one layer, e.g. [{type: linear, units: 10}]");
    }
    for (int i = 0; i < m.layers().size(); i++) {
      layer(k, KeyPath.element("model.layers", i), m.layers().get(i));
    }
  }

  private static void layer(Checks k, String path, LayerSpec l) {
    if (!k.oneOf(path + ".type", l.type(), LAYER_TYPES)) {
      return;
    }
    if (l.type().equals("linear")) {
      if (l.units() == null) {
        k.fail(path + ".units", "a linear layer needs units >= 1");
      } else {
        k.atLeast(path + ".units", l.units(), 1);
      }
      if (l.init() != null) {
        k.oneOf(path + ".init", l.init(), INITS);
      }
    } else {
      if (l.units() != null) {
        k.fail(path + ".units", l.type() + " is an activation and takes no units");
      }
      if (l.init() != null) {
        k.fail(path + ".init", l.type() + " is an activation and takes no init");
      }
    }
  }

  private static void data(Checks k, DataConfig d) {
    if (PLANNED_DATA_FORMATS.contains(d.format())) {
      k.fail("data.format", d.format() + " is not implemented yet (supported: " + String.join(", ", DATA_FORMATS) + ")");
    } else {
      k.oneOf("data.format", d.format(), DATA_FORMATS);
    }
    k.notBlank("data.dir", d.dir());
    k.notBlank("data.train_images", d.trainImages());
    k.notBlank("data.train_labels", d.trainLabels());
    k.notBlank("data.test_images", d.testImages());
    k.notBlank("data.test_labels", d.testLabels());
    k.atLeast("data.batch_size", d.batchSize(), 1);
    k.oneOf("data.normalize", d.normalize(), NORMALIZE);
    k.finite("data.mean", d.mean());
    k.above("data.std", d.std(), 0);
    k.atLeast("data.limit_train", d.limitTrain(), 0);
    k.atLeast("data.limit_test", d.limitTest(), 0);
  }

  private static void optimizer(Checks k, OptimizerConfig o) {
    k.oneOf("optimizer.type", o.type(), OPTIMIZERS);
    k.above("optimizer.lr", o.lr(), 0);
    k.inUnitInterval("optimizer.momentum", o.momentum());
    if (o.nesterov() && o.momentum() == 0.0) {
      k.fail("optimizer.nesterov", "needs optimizer.momentum > 0");
    }
    k.atLeast("optimizer.weight_decay", o.weightDecay(), 0.0);
    k.inUnitInterval("optimizer.beta1", o.beta1());
    k.inUnitInterval("optimizer.beta2", o.beta2());
    k.above("optimizer.eps", o.eps(), 0);
    ScheduleConfig s = o.schedule();
    k.oneOf("optimizer.schedule.type", s.type(), SCHEDULES);
    k.atLeast("optimizer.schedule.warmup_steps", s.warmupSteps(), 0);
    k.atLeast("optimizer.schedule.step_size", s.stepSize(), 1);
    k.above("optimizer.schedule.gamma", s.gamma(), 0);
    k.atLeast("optimizer.schedule.min_lr", s.minLr(), 0.0);
  }

  private static void update(Checks k, UpdateConfig u) {
    if (PLANNED_UPDATE_MODES.contains(u.mode())) {
      k.fail("update.mode", u.mode() + " is not implemented yet (only sync)");
    } else {
      k.oneOf("update.mode", u.mode(), UPDATE_MODES);
    }
    k.atLeast("update.check_every", u.checkEvery(), 0);
  }

  private static void checkpointing(Checks k, CheckpointingConfig c) {
    String s = c.segments();
    if (s.equals("0")) {
      return;
    }
    if (s.equals("auto") || SEGMENT_COUNT.matcher(s).matches()) {
      k.fail("checkpointing.segments", "gradient checkpointing is not implemented yet; use 0");
    } else {
      k.fail("checkpointing.segments", "must be 0, a number of segments >= 1, or auto (got " + quote(s) + ")");
    }
  }

  private static void backend(Checks k, BackendConfig b) {
    k.oneOf("backend.device", b.device(), DEVICES);
    k.atLeast("backend.threads", b.threads(), 0);
  }

  /** A string value as messages show it: quoted, escaped, and cut short so the message stays one line. */
  static String quote(String s) {
    String shown = s.length() > 60 ? s.substring(0, 57) + "..." : s;
    return "\"" + shown.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + "\"";
  }

  /** Numbers as a user would have typed them: 2.0 → 2, 0.05 → 0.05. */
  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  /** Collects problems; each check returns whether it passed. */
  private static final class Checks {
    final List<ConfigProblem> problems = new ArrayList<>();

    void fail(String path, String message) {
      problems.add(new ConfigProblem(path, message));
    }

    boolean oneOf(String path, String value, List<String> allowed) {
      if (value == null) {
        fail(path, "must be one of " + String.join(", ", allowed));
        return false;
      }
      if (!allowed.contains(value)) {
        fail(path, "must be one of " + String.join(", ", allowed) + " (got " + quote(value) + ")");
        return false;
      }
      return true;
    }

    void atLeast(String path, long value, long min) {
      if (value < min) {
        fail(path, "must be >= " + min + " (got " + value + ")");
      }
    }

    void atLeast(String path, double value, double min) {
      if (finite(path, value) && value < min) {
        fail(path, "must be >= " + number(min) + " (got " + number(value) + ")");
      }
    }

    void above(String path, double value, double min) {
      if (finite(path, value) && value <= min) {
        fail(path, "must be > " + number(min) + " (got " + number(value) + ")");
      }
    }

    /** [0, 1): momentum and Adam's betas; 1 would never forget. */
    void inUnitInterval(String path, double value) {
      if (finite(path, value) && (value < 0 || value >= 1)) {
        fail(path, "must be in [0, 1) (got " + number(value) + ")");
      }
    }

    boolean finite(String path, double value) {
      if (!Double.isFinite(value)) {
        fail(path, "must be a finite number (got " + value + ")");
        return false;
      }
      return true;
    }

    void notBlank(String path, String value) {
      if (value.isBlank()) {
        fail(path, "must not be empty");
      }
    }
  }
}
