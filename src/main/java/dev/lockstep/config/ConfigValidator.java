package dev.lockstep.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Ranges, enums and features not built yet, each problem named by key path (lines are added by
 * {@link ConfigLoader}, which knows the file). Types were already checked by binding.
 */
public final class ConfigValidator {
  public static final List<String> DATA_FORMATS = List.of("idx", "csv", "synthetic", "text");
  public static final List<String> CSV_TARGET_TYPES = List.of("auto", "class", "value");
  public static final List<String> SYNTHETIC_TASKS = List.of("classification", "regression", "multilabel",
      "distribution");
  public static final List<String> DATA_SOURCES = List.of("local", "broadcast");
  public static final List<String> NORMALIZE = List.of("none", "unit", "standard");
  public static final List<String> OBJECTIVES = List.of("cross_entropy", "binary_cross_entropy", "mse", "mae",
      "huber", "hinge", "kl_divergence");
  public static final List<String> HINGE_MULTICLASS = List.of("crammer_singer", "one_vs_rest");
  public static final List<String> OPTIMIZERS = List.of("sgd", "adam", "adamw");
  public static final List<String> SCHEDULES = List.of("constant", "step", "cosine");
  public static final List<String> UPDATE_MODES = List.of("sync", "async", "auto");
  public static final List<String> ASYNC_ALGORITHMS = List.of("parameter_server", "local_sgd");
  public static final List<String> DEVICES = List.of("auto", "cpu", "cuda");
  public static final List<String> COMM_ALGORITHMS = List.of("auto", "shm", "shm_process", "ring", "mpj", "nccl");
  public static final List<String> COMPRESSIONS = List.of("none", "bf16", "fp16");
  public static final List<String> LAYER_TYPES = List.of("linear", "relu", "tanh", "sigmoid", "gelu", "conv2d",
      "max_pool2d", "avg_pool2d", "flatten", "dropout", "batch_norm");
  /** Layers of image models (NCHW; need an image shape from the data, except flatten, dropout and batch_norm). */
  public static final List<String> IMAGE_LAYER_TYPES = List.of("conv2d", "max_pool2d", "avg_pool2d", "flatten",
      "dropout", "batch_norm");
  /** Layers of sequence models; only with data.format text (their ids and positions come from the text). */
  public static final List<String> SEQUENCE_LAYER_TYPES = List.of("embedding", "layer_norm", "transformer_block",
      "lm_head");
  public static final List<String> INITS = List.of("he", "xavier");
  public static final List<String> ON_NONFINITE = List.of("stop", "skip_step");
  public static final List<String> SIMULATED_FAILURES = List.of("none", "exit", "throw", "hang", "nan");

  /** Values the design names whose implementation has not landed: rejected with "not implemented yet". */

  private static final Pattern RUN_NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern SEGMENT_COUNT = Pattern.compile("[1-9][0-9]*");

  private ConfigValidator() {}

  /** Every problem in {@code c}, in file order of sections; empty when the config is usable. */
  public static List<ConfigProblem> problems(LockstepConfig c) {
    Checks k = new Checks();
    run(k, c.run());
    model(k, c.model(), c.data().format().equals("text"));
    batchNormNeedsSync(k, c.model(), c.update());
    imageLayersNeedCpu(k, c.model(), c.backend());
    data(k, c.data());
    objective(k, c.objective());
    optimizer(k, c.optimizer());
    update(k, c.update());
    checkpointing(k, c.checkpointing(), c.model());
    backend(k, c.backend());
    output(k, c.output(), c.update());
    k.above("comm.timeout_s", c.comm().timeoutS(), 0);
    k.above("comm.warn_after_s", c.comm().warnAfterS(), 0);
    k.oneOf("comm.algorithm", c.comm().algorithm(), COMM_ALGORITHMS);
    if (c.comm().algorithm().equals("nccl") && c.backend().device().equals("cpu")) {
      k.fail("comm.algorithm", "nccl reduces the gradients on the GPUs: it needs backend.device cuda or auto, not cpu");
    }
    k.atLeast("comm.bucket_mb", c.comm().bucketMb(), 0.0);
    k.oneOf("comm.compression", c.comm().compression(), COMPRESSIONS);
    if (!c.comm().compression().equals("none") && c.update().mode().equals("async")) {
      k.fail("comm.compression", "compresses the gradient allreduce of update.mode sync (and auto's sync phases); "
          + "async sends gradients or weights uncompressed: use none (got " + c.comm().compression() + ")");
    }
    if (!c.comm().compression().equals("none") && c.comm().algorithm().equals("nccl")) {
      k.fail("comm.compression", "nccl reduces float32 gradients on the GPUs: use none with comm.algorithm nccl (got "
          + c.comm().compression() + ")");
    }
    simulate(k, c.simulate());
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
    k.atLeast("run.max_restarts", r.maxRestarts(), 0);
  }

  private static void model(Checks k, ModelConfig m, boolean text) {
    if (m.layers().isEmpty()) {
      k.fail("model.layers", "must list at least one layer, e.g. [{type: linear, units: 10}]");
    }
    for (int i = 0; i < m.layers().size(); i++) {
      layer(k, KeyPath.element("model.layers", i), m.layers().get(i), text);
    }
  }

  private static void layer(Checks k, String path, LayerSpec l, boolean text) {
    if (l.type() != null && SEQUENCE_LAYER_TYPES.contains(l.type())) {
      sequenceLayer(k, path, l, text);
      return;
    }
    if (!k.oneOf(path + ".type", l.type(), LAYER_TYPES)) {
      return;
    }
    noSequenceKeys(k, path, l);
    imageKeys(k, path, l);
    if (text && IMAGE_LAYER_TYPES.contains(l.type())) {
      k.fail(path + ".type", l.type() + " is an image layer; data.format text builds a language model");
    }
    if (IMAGE_LAYER_TYPES.contains(l.type())) {
      if (l.units() != null) {
        k.fail(path + ".units", l.type() + " takes no units" + (l.type().equals("conv2d") ? " (its output channels "
            + "are channels)" : ""));
      }
      if (l.init() != null) {
        k.fail(path + ".init", l.type() + " takes no init");
      }
    } else if (l.type().equals("linear")) {
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

  private static void sequenceLayer(Checks k, String path, LayerSpec l, boolean text) {
    if (!text) {
      k.fail(path + ".type", l.type() + " is a sequence layer: it needs data.format text");
    }
    if (l.type().equals("embedding")) {
      if (l.units() == null) {
        k.fail(path + ".units", "an embedding needs units >= 1, its channels per position");
      } else {
        k.atLeast(path + ".units", l.units(), 1);
      }
    } else if (l.units() != null) {
      k.fail(path + ".units", l.type() + " takes no units (its width comes from the layer before"
          + (l.type().equals("lm_head") ? ", its outputs from the vocabulary)" : ")"));
    }
    if (l.channels() != null || l.kernel() != null || l.stride() != null || l.padding() != null || l.rate() != null
        || l.sync() != null || l.momentum() != null) {
      k.fail(path, l.type() + " takes none of channels, kernel, stride, padding, rate, sync, momentum (image-layer "
          + "keys)");
    }
    if (l.heads() != null && !l.type().equals("transformer_block")) {
      k.fail(path + ".heads", "only a transformer_block has heads");
    } else if (l.heads() != null) {
      k.atLeast(path + ".heads", l.heads(), 1);
    }
    if (l.positional() != null && !l.type().equals("embedding")) {
      k.fail(path + ".positional", "only an embedding has positional");
    }
    if (l.init() != null) {
      k.fail(path + ".init", l.type() + " takes no init");
    }
  }

  /** Which image keys each layer type takes, and their ranges. */
  private static void imageKeys(Checks k, String path, LayerSpec l) {
    String t = l.type();
    boolean conv = t.equals("conv2d"), pool = t.equals("max_pool2d") || t.equals("avg_pool2d");
    if (conv) {
      if (l.channels() == null) {
        k.fail(path + ".channels", "conv2d needs channels >= 1, its output channels");
      } else {
        k.atLeast(path + ".channels", l.channels(), 1);
      }
    } else if (l.channels() != null) {
      k.fail(path + ".channels", "only conv2d has channels");
    }
    if (conv || pool) {
      if (l.kernel() == null) {
        k.fail(path + ".kernel", t + " needs kernel >= 1, the side of its square window");
      } else {
        k.atLeast(path + ".kernel", l.kernel(), 1);
      }
      if (l.stride() != null) {
        k.atLeast(path + ".stride", l.stride(), 1);
      }
      if (l.padding() != null) {
        k.atLeast(path + ".padding", l.padding(), 0);
        if (pool && l.kernel() != null && 2 * l.padding() > l.kernel()) {
          k.fail(path + ".padding", "a pooling window's padding must be at most half its kernel (" + l.kernel()
              + "), got " + l.padding());
        }
      }
    } else {
      for (String key : new String[] {"kernel", "stride", "padding"}) {
        Integer v = key.equals("kernel") ? l.kernel() : key.equals("stride") ? l.stride() : l.padding();
        if (v != null) {
          k.fail(path + "." + key, "only conv2d, max_pool2d and avg_pool2d have " + key);
        }
      }
    }
    if (l.rate() != null && !t.equals("dropout")) {
      k.fail(path + ".rate", "only dropout has rate");
    } else if (l.rate() != null && k.finite(path + ".rate", l.rate()) && (l.rate() < 0 || l.rate() >= 1)) {
      k.fail(path + ".rate", "must be in [0, 1) (got " + number(l.rate()) + ")");
    }
    if (!t.equals("batch_norm")) {
      if (l.sync() != null) {
        k.fail(path + ".sync", "only batch_norm has sync");
      }
      if (l.momentum() != null) {
        k.fail(path + ".momentum", "only batch_norm has momentum (the optimizer's is optimizer.momentum)");
      }
    } else if (l.momentum() != null && k.finite(path + ".momentum", l.momentum())
        && (l.momentum() < 0 || l.momentum() > 1)) {
      k.fail(path + ".momentum", "must be in [0, 1] (got " + number(l.momentum()) + ")");
    }
  }

  /**
   * Batch norm keeps the replicas identical through per-step collectives (its running statistics, and with sync its
   * batch statistics), which only ranks stepping together make.
   */
  private static void batchNormNeedsSync(Checks k, ModelConfig m, UpdateConfig u) {
    for (int i = 0; i < m.layers().size(); i++) {
      if ("batch_norm".equals(m.layers().get(i).type()) && !u.mode().equals("sync")) {
        k.fail(KeyPath.element("model.layers", i) + ".type", "batch_norm needs update.mode sync (its statistics "
            + "are combined across ranks every step; got update.mode " + u.mode() + ")");
        return;
      }
    }
  }

  /** The image layers' CUDA kernels are not written yet: demanding CUDA for them is refused here. */
  private static void imageLayersNeedCpu(Checks k, ModelConfig m, BackendConfig b) {
    for (int i = 0; i < m.layers().size(); i++) {
      String type = m.layers().get(i).type();
      if (type != null && IMAGE_LAYER_TYPES.contains(type) && b.device().equals("cuda")) {
        k.fail("backend.device", "cuda is not supported with " + type + " (model.layers[" + i + "]) yet: image layers "
            + "run on the cpu backend only; use cpu");
        return;
      }
    }
  }

  private static void noSequenceKeys(Checks k, String path, LayerSpec l) {
    if (l.heads() != null) {
      k.fail(path + ".heads", "only a transformer_block has heads");
    }
    if (l.positional() != null) {
      k.fail(path + ".positional", "only an embedding has positional");
    }
  }

  private static void data(Checks k, DataConfig d) {
    k.oneOf("data.format", d.format(), DATA_FORMATS);
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
    k.notBlank("data.path", d.path());
    k.atLeast("data.context", d.context(), 1);
    if (k.finite("data.val_fraction", d.valFraction()) && !(d.valFraction() > 0 && d.valFraction() < 1)) {
      k.fail("data.val_fraction", "must be in (0, 1) (got " + number(d.valFraction()) + ")");
    }
    if (k.oneOf("data.source", d.source(), DATA_SOURCES) && d.source().equals("broadcast")
        && d.format().equals("text")) {
      k.fail("data.source", "broadcast is not supported for format text yet; use local (the text at data.path "
          + "on every host)");
    }
    shape(k, d);
    if (d.format().equals("csv")) {
      csv(k, d.csv());
    } else if (d.format().equals("synthetic")) {
      synthetic(k, d.synthetic());
    }
    if (!d.format().equals("idx") && d.normalize().equals("unit")) {
      k.fail("data.normalize", "unit (x/255) is for idx pixels; use standard or none with format " + d.format());
    }
  }

  private static void shape(Checks k, DataConfig d) {
    if (d.shape().isEmpty()) {
      return;
    }
    if (d.shape().size() != 3) {
      k.fail("data.shape", "must be [C, H, W] (channels, height, width), got " + d.shape().size() + " value(s)");
      return;
    }
    for (int i = 0; i < 3; i++) {
      if (d.shape().get(i) == null || d.shape().get(i) < 1) {
        k.fail(KeyPath.element("data.shape", i), "must be >= 1 (got " + d.shape().get(i) + ")");
        return;
      }
    }
    if (d.format().equals("text")) {
      k.fail("data.shape", "is for image features (idx, csv, synthetic); format text reads token ids");
    } else if (d.format().equals("synthetic")) {
      long size = (long) d.shape().get(0) * d.shape().get(1) * d.shape().get(2);
      if (size != d.synthetic().features()) {
        k.fail("data.shape", d.shape() + " holds " + size + " features but data.synthetic.features is "
            + d.synthetic().features());
      }
    }
  }

  private static void csv(Checks k, CsvConfig c) {
    if (c.trainFile().isBlank()) {
      k.fail("data.csv.train_file", "must name the CSV file to train on (format csv)");
    }
    if (c.target().isBlank()) {
      k.fail("data.csv.target", "must name the column to predict (format csv)");
    }
    for (int i = 0; i < c.features().size(); i++) {
      k.notBlank(KeyPath.element("data.csv.features", i), c.features().get(i));
    }
    k.oneOf("data.csv.target_type", c.targetType(), CSV_TARGET_TYPES);
    if (k.finite("data.csv.test_fraction", c.testFraction()) && (c.testFraction() < 0 || c.testFraction() >= 1)) {
      k.fail("data.csv.test_fraction", "must be in [0, 1) (got " + number(c.testFraction()) + ")");
    }
  }

  private static void synthetic(Checks k, SyntheticConfig s) {
    k.oneOf("data.synthetic.task", s.task(), SYNTHETIC_TASKS);
    k.atLeast("data.synthetic.train_samples", s.trainSamples(), 1);
    k.atLeast("data.synthetic.test_samples", s.testSamples(), 0);
    k.atLeast("data.synthetic.features", s.features(), 1);
    k.atLeast("data.synthetic.outputs", s.outputs(), s.task().equals("classification") ? 2 : 1);
    k.atLeast("data.synthetic.hidden", s.hidden(), 1);
    k.atLeast("data.synthetic.noise", s.noise(), 0.0);
  }

  private static void objective(Checks k, ObjectiveConfig o) {
    k.oneOf("objective.type", o.type(), OBJECTIVES);
    boolean crossEntropy = o.type().equals("cross_entropy");
    if (k.finite("objective.label_smoothing", o.labelSmoothing())) {
      if (o.labelSmoothing() < 0 || o.labelSmoothing() >= 1) {
        k.fail("objective.label_smoothing", "must be in [0, 1) (got " + number(o.labelSmoothing()) + ")");
      } else if (o.labelSmoothing() != 0 && !crossEntropy) {
        k.fail("objective.label_smoothing", "applies to cross_entropy only (objective.type is " + o.type() + ")");
      }
    }
    if (!o.weights().isEmpty() && !crossEntropy) {
      k.fail("objective.weights", "per-class weights apply to cross_entropy only (objective.type is " + o.type()
          + ")");
    }
    for (int i = 0; i < o.weights().size(); i++) {
      k.atLeast(KeyPath.element("objective.weights", i), o.weights().get(i), 0.0);
    }
    k.above("objective.delta", o.delta(), 0);
    k.oneOf("objective.multiclass", o.multiclass(), HINGE_MULTICLASS);
    k.atLeast("objective.l2", o.l2(), 0.0);
    k.atLeast("objective.l1", o.l1(), 0.0);
    k.atLeast("objective.top_k", o.topK(), 0);
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
    k.oneOf("update.mode", u.mode(), UPDATE_MODES);
    k.atLeast("update.check_every", u.checkEvery(), 0);
    k.oneOf("update.on_nonfinite", u.onNonfinite(), ON_NONFINITE);
    k.atLeast("update.accumulate_steps", u.accumulateSteps(), 1);
    AsyncUpdateConfig a = u.async();
    k.oneOf("update.async.algorithm", a.algorithm(), ASYNC_ALGORITHMS);
    k.atLeast("update.async.max_staleness", a.maxStaleness(), 0);
    k.atLeast("update.async.period", a.period(), 1);
    k.atLeast("update.async.period_ms", a.periodMs(), 0);
    AutoUpdateConfig auto = u.auto();
    k.atLeast("update.auto.window_steps", auto.windowSteps(), 1);
    k.above("update.auto.recover_ratio", auto.recoverRatio(), 1);
    if (k.finite("update.auto.straggler_ratio", auto.stragglerRatio())
        && Double.isFinite(auto.recoverRatio()) && auto.stragglerRatio() <= auto.recoverRatio()) {
      k.fail("update.auto.straggler_ratio", "must be > update.auto.recover_ratio (" + number(auto.recoverRatio())
          + "), or auto would switch back and forth (got " + number(auto.stragglerRatio()) + ")");
    }
  }

  private static void simulate(Checks k, SimulateConfig s) {
    simulate(k, s.fail());
    for (int i = 0; i < s.slowRanks().size(); i++) {
      String path = KeyPath.element("simulate.slow_ranks", i);
      SlowRankConfig slow = s.slowRanks().get(i);
      if (slow.rank() < 0) {
        k.fail(path + ".rank", "must name the rank to slow down (>= 0)");
      }
      k.atLeast(path + ".factor", slow.factor(), 1.0);
      k.atLeast(path + ".from_step", slow.fromStep(), 0);
      if (slow.toStep() != 0 && slow.toStep() <= slow.fromStep()) {
        k.fail(path + ".to_step", "must be > from_step (" + slow.fromStep() + ") or 0 for no end (got "
            + slow.toStep() + ")");
      }
    }
  }

  private static void output(Checks k, OutputConfig o, UpdateConfig u) {
    k.atLeast("output.log_every", o.logEvery(), 1);
    k.atLeast("output.eval_every_steps", o.evalEverySteps(), 0);
    // Within epochs both need identical replicas: a parameter server's ranks hold them only at epoch ends (under
    // auto, in its sync phases too: there they apply, deferred past parameter server phases).
    if (u.mode().equals("async") && u.async().algorithm().equals("parameter_server")) {
      if (o.evalEverySteps() > 0) {
        k.fail("output.eval_every_steps", "is not supported with update.mode async and algorithm parameter_server: "
            + "its ranks hold the same weights only at epoch ends; use local_sgd or auto, or 0 to evaluate at epoch "
            + "ends");
      }
      if (o.saveEverySteps() > 0) {
        k.fail("output.save_every_steps", "is not supported with update.mode async and algorithm parameter_server: "
            + "its ranks hold the same weights only at epoch ends; use output.save_every_epochs");
      }
    }
    k.atLeast("output.save_every_steps", o.saveEverySteps(), 0);
    k.atLeast("output.save_every_epochs", o.saveEveryEpochs(), 0);
    k.atLeast("output.keep_last", o.keepLast(), 0);
  }

  /** The rank is checked against the number of ranks when the run starts (the config does not know it). */
  private static void simulate(Checks k, SimulateFailConfig f) {
    k.oneOf("simulate.fail.how", f.how(), SIMULATED_FAILURES);
    k.atLeast("simulate.fail.rank", f.rank(), 0);
    if (f.enabled()) {
      k.atLeast("simulate.fail.step", f.step(), 1);
    } else {
      k.atLeast("simulate.fail.step", f.step(), 0);
    }
  }

  private static void checkpointing(Checks k, CheckpointingConfig c, ModelConfig m) {
    String s = c.segments();
    if (SEGMENT_COUNT.matcher(s).matches()) {
      int layers = m.layers().size();
      if (layers > 0 && (s.length() > 9 || Integer.parseInt(s) > layers)) {
        k.fail("checkpointing.segments", s + " segments but the model has " + layers + (layers == 1 ? " layer"
            : " layers") + " (use 1 to " + layers + ", 0 or auto)");
      }
    } else if (!s.equals("0") && !s.equals("auto")) {
      k.fail("checkpointing.segments", "must be 0, a number of segments >= 1, or auto (got " + quote(s) + ")");
    }
    k.atLeast("checkpointing.max_activation_mb", c.maxActivationMb(), 0.0);
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
