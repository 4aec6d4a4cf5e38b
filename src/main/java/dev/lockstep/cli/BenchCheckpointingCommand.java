package dev.lockstep.cli;

import dev.lockstep.checkpointing.SegmentPlan;
import dev.lockstep.checkpointing.SegmentPlanner;
import dev.lockstep.checkpointing.StepExecutor;
import dev.lockstep.config.CheckpointingConfig;
import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import dev.lockstep.nn.FeatureShape;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.objective.CrossEntropy;
import dev.lockstep.objective.Targets;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lockstep bench checkpointing}: one rank's training step on a deep MLP under several checkpointing
 * settings. Each setting runs in a fresh JVM, so that process's peak RSS (VmHWM) belongs to it alone.
 */
@Command(
    name = "checkpointing",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    headerHeading = "%n",
    header = "Activation memory, peak RSS and step time of a deep MLP or CNN for several checkpointing.segments.",
    descriptionHeading = "%n",
    description = {
        "Model (--model mlp) INPUT → [linear(HIDDEN) → relu] × DEPTH → linear(CLASSES), or (--model cnn) "
            + "[1, 28, 28] → [conv2d(HIDDEN channels, 3x3, padding 1) → relu] × DEPTH with a 2x2 max_pool2d after "
            + "the first DEPTH/2 blocks → linear(CLASSES); one rank on the CPU backend, synthetic "
            + "data, a full step (forward, cross-entropy, backward, SGD). Each --segments value runs in its own "
            + "JVM; the table gives the executor's exact activation peak, the process's peak RSS (VmHWM from "
            + "/proc/self/status: JVM, weights, gradients and activations) and the median step time, with "
            + "ratios against the first setting. Timings on a shared machine are noisy."},
    optionListHeading = "%nOptions:%n",
    footerHeading = "%nExamples:%n",
    footer = {"  lockstep bench checkpointing", "  lockstep bench checkpointing --hidden 1024 --steps 5",
        "  lockstep bench checkpointing --model cnn --segments 0,auto"})
final class BenchCheckpointingCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--segments", split = ",", paramLabel = "S",
      description = "Settings to compare, the first is the baseline (default: ${DEFAULT-VALUE}).")
  List<String> segments = new ArrayList<>(List.of("0", "2", "4", "auto"));

  @Option(names = "--model", paramLabel = "mlp|cnn", description = "Model family (default: ${DEFAULT-VALUE}).")
  String family = "mlp";

  @Option(names = "--input", description = "Input width of the MLP (default: ${DEFAULT-VALUE}; the CNN's input is "
      + "[1, 28, 28]).")
  int input = 784;

  @Option(names = "--hidden", description = "Hidden width (MLP, default 2048) or channels (CNN, default 32).")
  Integer hidden;

  @Option(names = "--depth", description = "Hidden linear+relu (MLP, default 16) or conv2d+relu (CNN, default 8) "
      + "blocks.")
  Integer depth;

  @Option(names = "--classes", description = "Output width (default: ${DEFAULT-VALUE}).")
  int classes = 10;

  @Option(names = "--batch", description = "Batch size (MLP, default 256; CNN, default 32).")
  Integer batch;

  @Option(names = "--steps", description = "Timed steps per setting; the median is reported (default: ${DEFAULT-VALUE}).")
  int steps = 7;

  @Option(names = "--warmup", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
  int warmup = 2;

  @Option(names = "--threads", description = "BLAS threads; 0 = all cores (default: ${DEFAULT-VALUE}).")
  int threads = 0;

  @Option(names = "--json",
      description = "One JSON object per setting instead of the table: segments, plan, activation_bytes, "
          + "keep_all_bytes, peak_rss_bytes, ms_per_step, and the activation and time ratios against the first.")
  boolean json;

  @Option(names = "--child", hidden = true, description = "Measure one setting in this JVM and print one line.")
  boolean child;

  private static final String RESULT = "bench-result ";

  @Override
  public Integer call() throws Exception {
    boolean cnn = family.equals("cnn");
    if (!cnn && !family.equals("mlp")) {
      spec.commandLine().getErr().println("lockstep: bench checkpointing: --model must be mlp or cnn (got '" + family
          + "')");
      return ExitCodes.USAGE;
    }
    hidden = hidden != null ? hidden : cnn ? 32 : 2048;
    depth = depth != null ? depth : cnn ? 8 : 16;
    batch = batch != null ? batch : cnn ? 32 : 256;
    if (batch < 1 || steps < 1 || warmup < 0 || depth < 0 || hidden < 1 || input < 1 || classes < 1) {
      spec.commandLine().getErr().println("lockstep: bench checkpointing: sizes, --batch and --steps must be "
          + "positive");
      return ExitCodes.USAGE;
    }
    if (child) {
      spec.commandLine().getOut().println(RESULT + measure(segments.get(0)));
      return ExitCodes.OK;
    }
    PrintWriter out = spec.commandLine().getOut();
    if (!json) {
      out.printf(Locale.ROOT, "%s, batch %d, 1 rank, CPU backend (%s BLAS threads), %d timed steps after %d "
              + "warm-up%n", cnn ? String.format(Locale.ROOT, "CNN [1, 28, 28] → [conv2d(%d, 3x3) → relu]×%d, max_pool2d "
              + "after %d → linear(%d) (%d layers)", hidden, depth, depth / 2, classes, 2 * depth + 2)
              : String.format(Locale.ROOT, "MLP %d → %d×%d → %d (%d layers)", input, hidden, depth, classes,
              2 * depth + 1), batch, threads == 0 ? "all" : threads, steps, warmup);
    }
    out.flush();
    List<Map<String, String>> rows = new ArrayList<>();
    for (String s : segments) {
      Map<String, String> r = runChild(s);
      if (r == null) {
        return ExitCodes.USAGE;
      }
      rows.add(r);
    }
    if (json) {
      printJson(out, rows);
    } else {
      printTable(out, rows);
    }
    return ExitCodes.OK;
  }

  /** One setting, in this JVM: builds everything, times the steps, reads VmHWM. */
  private String measure(String setting) throws IOException {
    List<LayerSpec> specs = new ArrayList<>();
    boolean cnn = family.equals("cnn");
    for (int i = 0; i < depth; i++) {
      specs.add(cnn ? new LayerSpec("conv2d", null, null, null, null, hidden, 3, 1, 1, null, null, null)
          : new LayerSpec("linear", hidden, null));
      specs.add(new LayerSpec("relu", null, null));
      if (cnn && i + 1 == depth / 2) {
        specs.add(new LayerSpec("max_pool2d", null, null, null, null, null, 2, null, null, null, null, null));
      }
    }
    specs.add(new LayerSpec("linear", classes, null));
    Model model = Model.build(new ModelConfig(specs), cnn ? FeatureShape.image(1, 28, 28)
        : FeatureShape.flat(input));
    int input = model.inputWidth();
    SegmentPlan plan = SegmentPlanner.fromConfig(new CheckpointingConfig(setting, 0.0), model, batch);
    try (Backend be = CpuBackend.create(threads)) {
      Parameters params = new Parameters(model, be);
      params.initialize(42);
      StepExecutor executor = new StepExecutor(model, params, be, batch, plan);
      SplittableRandom rng = new SplittableRandom(7);
      float[] x = new float[batch * input]; // [batch, input]
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rng.nextDouble(-1, 1);
      }
      int[] labels = rng.ints(batch, 0, classes).toArray();
      Buf xBuf = be.allocate(x.length);
      be.upload(x, 0, xBuf);
      Buf dyBuf = be.allocate((long) batch * classes);
      float[] y = new float[batch * classes];
      float[] dy = new float[batch * classes];
      CrossEntropy ce = new CrossEntropy();
      double[] ms = new double[steps];
      for (int step = -warmup; step < steps; step++) {
        long t0 = System.nanoTime();
        params.zeroGrads();
        be.download(executor.forward(xBuf, batch), y, 0);
        ce.lossAndGradient(y, Targets.ofClasses(labels), batch, classes, dy, 1f / batch);
        be.upload(dy, 0, dyBuf);
        executor.backward(dyBuf, batch);
        be.sgdStep(params.params(), params.grads(), null, 1e-3f, 0f, false, 0f);
        be.synchronize();
        if (step >= 0) {
          ms[step] = (System.nanoTime() - t0) / 1e6;
        }
      }
      Arrays.sort(ms);
      double median = steps % 2 == 1 ? ms[steps / 2] : (ms[steps / 2 - 1] + ms[steps / 2]) / 2;
      return String.format(Locale.ROOT, "setting=%s plan=%s activation_bytes=%d keep_all_bytes=%d hwm_kb=%d "
              + "ms=%.1f", setting, plan.summary().replace(' ', '_'), executor.activationBytes(batch),
          plan.keepAllActivationBytes(batch), peakRssKb(), median);
    }
  }

  /** VmHWM of this process, in kB (Linux); -1 where /proc is not there. */
  private static long peakRssKb() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return -1;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  /** Runs {@code --child} for one setting in a fresh JVM with this JVM's java and class path. */
  private Map<String, String> runChild(String setting) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.lockstep.Main", "bench", "checkpointing", "--child", "--segments", setting, "--model", family,
        "--input", "" + input, "--hidden", "" + hidden, "--depth", "" + depth, "--classes", "" + classes,
        "--batch", "" + batch, "--steps", "" + steps, "--warmup", "" + warmup, "--threads", "" + threads));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Map<String, String> result = null;
    StringBuilder other = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith(RESULT)) {
          result = new LinkedHashMap<>();
          for (String kv : line.substring(RESULT.length()).split(" ")) {
            int eq = kv.indexOf('=');
            result.put(kv.substring(0, eq), kv.substring(eq + 1).replace('_', ' '));
          }
        } else {
          other.append(line).append('\n');
        }
      }
    }
    int code = p.waitFor();
    if (code != 0 || result == null) {
      spec.commandLine().getErr().print("lockstep: bench checkpointing: segments " + setting + " failed (exit "
          + code + "):\n" + other);
      return null;
    }
    return result;
  }

  private void printJson(PrintWriter out, List<Map<String, String>> rows) {
    double baseAct = Double.parseDouble(rows.get(0).get("activation_bytes"));
    double baseMs = Double.parseDouble(rows.get(0).get("ms"));
    for (Map<String, String> r : rows) {
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("kind", "checkpointing");
      record.put("segments", r.get("setting"));
      record.put("plan", r.get("plan"));
      long act = Long.parseLong(r.get("activation_bytes"));
      record.put("activation_bytes", act);
      record.put("keep_all_bytes", Long.parseLong(r.get("keep_all_bytes")));
      long hwmKb = Long.parseLong(r.get("hwm_kb"));
      record.put("peak_rss_bytes", hwmKb < 0 ? null : hwmKb * 1024);
      double ms = Double.parseDouble(r.get("ms"));
      record.put("ms_per_step", ms);
      record.put("activation_ratio", act / baseAct);
      record.put("ms_ratio", ms / baseMs);
      record.put("layers", 2 * depth + 1);
      record.put("batch", batch);
      JsonLines.print(out, record);
    }
  }

  private void printTable(PrintWriter out, List<Map<String, String>> rows) {
    double baseAct = Double.parseDouble(rows.get(0).get("activation_bytes"));
    double baseMs = Double.parseDouble(rows.get(0).get("ms"));
    double mib = 1024.0 * 1024.0;
    out.printf(Locale.ROOT, "%-9s %-44s %13s %7s %13s %9s %7s%n", "segments", "plan", "activation MiB", "ratio",
        "peak RSS MiB", "ms/step", "ratio");
    for (Map<String, String> r : rows) {
      double act = Double.parseDouble(r.get("activation_bytes"));
      double ms = Double.parseDouble(r.get("ms"));
      String plan = r.get("plan");
      out.printf(Locale.ROOT, "%-9s %-44s %13.1f %7.3f %13.0f %9.1f %7.2f%n", r.get("setting"),
          plan.length() > 44 ? plan.substring(0, 41) + "..." : plan, act / mib, act / baseAct,
          Long.parseLong(r.get("hwm_kb")) / 1024.0, ms, ms / baseMs);
    }
    int n = family.equals("cnn") ? 2 * depth + 2 : 2 * depth + 1;
    out.printf(Locale.ROOT, "activation MiB: the step executor's exact peak (outputs kept + 2 gradient buffers); "
        + "2√n/n = %.3f for n = %d layers. peak RSS: VmHWM of the setting's own JVM. ms/step: median.%n",
        2 * Math.sqrt(n) / n, n);
    out.flush();
  }
}
