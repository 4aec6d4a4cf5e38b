package dev.lockstep.cli;

import dev.lockstep.config.ConfigLoader;
import dev.lockstep.config.DataConfig;
import dev.lockstep.config.LockstepConfig;
import dev.lockstep.launch.MpjCheck;
import dev.lockstep.tensor.Backends;
import dev.lockstep.tensor.CudaInventory;
import dev.lockstep.tensor.NoDeviceException;
import dev.lockstep.tensor.OpenBlasInfo;
import dev.lockstep.train.RunPreflight;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lockstep doctor}: is this machine ready to train, and if not, what to do about it. */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    headerHeading = "%n",
    header = "Check this machine: Java, MPJ Express, datasets, OpenBLAS, CUDA, and the backend a run would use.",
    descriptionHeading = "%n",
    description = {
        "One line per check, OK or what to do. Finds (or assembles, as the first run would) the MPJ Express home "
            + "and checks it has what the multicore, niodev and hybdev devices need; says whether Debian's "
            + "/usr/bin/mpjrun is the broken one; checks what train checks before starting ranks (the config's data "
            + "files of any format, the global batch for --np ranks against the training samples, that run.out_dir "
            + "can be written, ranks against cores); loads OpenBLAS and reports "
            + "the core type it picked and its threads; lists CUDA devices with driver and runtime versions, or "
            + "why there are none; and names the backend a run with --np ranks would use.",
        "",
        "Without -c the defaults are checked (Fashion-MNIST under /usr/share/datasets, backend.device auto)."},
    optionListHeading = "%nOptions:%n",
    footerHeading = "%nExamples:%n",
    footer = {
        "  lockstep doctor",
        "  lockstep doctor -c my-run.yaml --np 4     # that config's data and backend, for 4 ranks",
        "  lockstep doctor --json | jq -r 'select(.status == \"FAIL\") | .advice'"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ready to train (warnings may remain)",
        "2:something a run needs is missing (MPJ Express, data files, a writable run.out_dir, a demanded GPU)"})
final class DoctorCommand implements Callable<Integer> {
  enum Status { OK, NOTE, WARN, FAIL }

  /** One check's verdict; {@code advice} is what to do (null when nothing needs doing). */
  record Finding(Status status, String topic, String message, String advice) {}

  /** Without -c: every default, with the smallest model (the defaults have none). */
  private static final String DEFAULTS = "model: {layers: [{type: linear, units: 10}]}\n";

  @Spec
  CommandSpec spec;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Check this config's data files and backend (default: the built-in defaults).")
  Path configFile;

  @Option(names = "--set", paramLabel = "KEY.PATH=VALUE", description = "Override a key of the config, as for train.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--np", paramLabel = "N", defaultValue = "2",
      description = "Ranks the backend check assumes on this machine (default: ${DEFAULT-VALUE}).")
  int np;

  @Option(names = "--json",
      description = "One JSON object per check ({\"kind\": \"check\", \"status\": \"OK|NOTE|WARN|FAIL\", \"topic\", "
          + "\"message\", \"advice\"}), then {\"kind\": \"verdict\", \"ready\": true|false, \"failed\": [topics]}.")
  boolean json;

  @Override
  public Integer call() {
    ConfigLoader.Located located = configFile == null ? ConfigLoader.fromYamlLocated(DEFAULTS, "the defaults", overrides)
        : ConfigLoader.loadLocated(configFile, overrides);
    LockstepConfig cfg = located.config();
    List<Finding> findings = new ArrayList<>();
    findings.add(java());
    findings.addAll(mpj());
    findings.addAll(run(located));
    findings.add(openBlas());
    findings.add(cuda(cfg.backend().device()));
    findings.add(backend(cfg));
    PrintWriter out = spec.commandLine().getOut();
    boolean failed = findings.stream().anyMatch(f -> f.status() == Status.FAIL);
    if (json) {
      printJson(out, findings, failed);
      return failed ? ExitCodes.USAGE : ExitCodes.OK;
    }
    for (Finding f : findings) {
      out.printf(Locale.ROOT, "%-4s  %-8s  %s%n", f.status(), f.topic(), f.message());
      if (f.advice() != null) {
        out.printf(Locale.ROOT, "%-4s  %-8s  -> %s%n", "", "", f.advice());
      }
    }
    out.println(failed ? "Not ready: fix the FAIL lines above." : "Ready to train.");
    out.flush();
    return failed ? ExitCodes.USAGE : ExitCodes.OK;
  }

  /** --json: one {@code check} record per finding, then a {@code verdict} record. */
  private static void printJson(PrintWriter out, List<Finding> findings, boolean failed) {
    for (Finding f : findings) {
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("kind", "check");
      record.put("status", f.status().name());
      record.put("topic", f.topic());
      record.put("message", f.message());
      record.put("advice", f.advice());
      JsonLines.print(out, record);
    }
    Map<String, Object> verdict = new LinkedHashMap<>();
    verdict.put("kind", "verdict");
    verdict.put("ready", !failed);
    verdict.put("failed", findings.stream().filter(f -> f.status() == Status.FAIL).map(Finding::topic).toList());
    JsonLines.print(out, verdict);
  }

  static Finding java() {
    Runtime.Version v = Runtime.version();
    String what = v + " (" + System.getProperty("java.vm.name") + ", " + System.getProperty("java.vendor") + ") at "
        + System.getProperty("java.home");
    return v.feature() >= 17 ? new Finding(Status.OK, "java", what, null)
        : new Finding(Status.FAIL, "java", what, "lockstep needs Java 17 or newer (Debian: openjdk-17-jre)");
  }

  static List<Finding> mpj() {
    MpjCheck check = MpjCheck.run();
    List<Finding> findings = new ArrayList<>();
    if (check.problem().isPresent()) {
      findings.add(new Finding(Status.FAIL, "mpj", check.summary() + ": " + check.problem().get(),
          "install Debian's libmpj-java (sudo apt-get install libmpj-java; 'make deps' does it) or set MPJ_HOME to "
              + "an MPJ Express 0.44 installation"));
    } else {
      findings.add(new Finding(Status.OK, "mpj", check.summary(), null));
    }
    for (String w : check.warnings()) {
      findings.add(new Finding(Status.WARN, "mpj", w, null));
    }
    return findings;
  }

  /**
   * What {@code train} checks before starting ranks (RunPreflight): the config's data, the global batch for --np
   * ranks, run.out_dir, ranks against cores. The demanded-device check is the backend line below.
   */
  List<Finding> run(ConfigLoader.Located located) {
    List<Finding> findings = new ArrayList<>();
    for (RunPreflight.Check c : RunPreflight.checks(located, new RunPreflight.Plan(np, true, null))) {
      if (c.topic().equals("device")) {
        continue;
      }
      Status status = switch (c.status()) {
        case OK -> Status.OK;
        case WARN -> Status.WARN;
        case FAIL -> Status.FAIL;
      };
      String advice = status == Status.FAIL && c.topic().equals("data") ? dataAdvice(located.config().data()) : null;
      findings.add(new Finding(status, c.topic(), c.message(), advice));
    }
    return findings;
  }

  private static String dataAdvice(DataConfig d) {
    if (!d.format().equals("idx")) {
      return "point the data keys at the files (paths are relative to the directory lockstep runs in)";
    }
    Path dir = Path.of(d.dir());
    return (d.dir().startsWith("/usr/share/datasets/")
        ? "install Debian's dataset-" + dir.getFileName() + " (sudo apt-get install dataset-" + dir.getFileName()
            + "), or point data.dir at the files"
        : "point data.dir and data.*_images/labels at the four IDX files") + installedDatasets();
  }

  /** The Debian dataset packages' directories, e.g. " [installed: fashion-mnist]". */
  private static String installedDatasets() {
    Path root = Path.of("/usr/share/datasets");
    if (!Files.isDirectory(root)) {
      return " [no dataset packages under /usr/share/datasets]";
    }
    try (Stream<Path> dirs = Files.list(root)) {
      List<String> names = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
      return " [installed under /usr/share/datasets: " + (names.isEmpty() ? "none" : String.join(", ", names)) + "]";
    } catch (IOException e) {
      return "";
    }
  }

  static Finding openBlas() {
    try {
      OpenBlasInfo info = OpenBlasInfo.probe();
      String message = String.format(Locale.ROOT, "%s | core %s | %d thread(s), %d processor(s)", info.config(),
          info.coreName(), info.threads(), info.processors());
      boolean generic = info.coreName().equalsIgnoreCase("prescott") || info.coreName().equalsIgnoreCase("generic");
      return generic ? new Finding(Status.WARN, "openblas", message, "OpenBLAS picked generic kernels for this CPU; "
          + "set OPENBLAS_CORETYPE (e.g. Haswell, SkylakeX) to the CPU's family")
          : new Finding(Status.OK, "openblas", message, null);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      return new Finding(Status.FAIL, "openblas", "cannot load OpenBLAS: " + e.getMessage(),
          "use the jars of target/lib (make build) on linux-x86_64; other platforms need their JavaCPP classifier");
    }
  }

  static Finding cuda(String device) {
    CudaInventory inv = CudaInventory.probe();
    String versions = "driver " + inv.driverVersion().orElse("-") + ", runtime " + inv.runtimeVersion().orElse("-");
    if (inv.unavailableReason().isPresent()) {
      Status status = device.equals("cuda") ? Status.FAIL : Status.NOTE;
      return new Finding(status, "cuda", inv.unavailableReason().get() + " (" + versions + ")",
          device.equals("cuda") ? "backend.device is cuda: install the NVIDIA driver (CUDA 13) or use auto/cpu" : null);
    }
    StringBuilder devices = new StringBuilder();
    for (CudaInventory.Device d : inv.devices()) {
      devices.append(String.format(Locale.ROOT, "%s GPU %d %s (sm_%d%d, %.1f GiB)", devices.length() == 0 ? "" : ";",
          d.index(), d.name(), d.major(), d.minor(), d.memoryBytes() / (double) (1L << 30)));
    }
    return new Finding(Status.OK, "cuda", inv.devices().size() + " device(s):" + devices + " (" + versions + ")",
        null);
  }

  Finding backend(LockstepConfig cfg) {
    try {
      return new Finding(Status.OK, "backend", "a run with --np " + np + " would use "
          + Backends.describeChoice(cfg.backend(), np), null);
    } catch (NoDeviceException e) {
      return new Finding(Status.FAIL, "backend", e.getMessage() + " (a run exits with code 4)",
          "set backend.device: auto (falls back to the CPU) or cpu");
    }
  }
}
