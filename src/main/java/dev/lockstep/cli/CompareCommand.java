package dev.lockstep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.metrics.RunRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lockstep compare}: the key figures of several runs side by side, from their summary.json files. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    headerHeading = "%n",
    header = "Print a table of runs' key figures, one row per run directory.",
    descriptionHeading = "%n",
    description = {
        "Columns: ranks, steps, final test accuracy and test loss (or the last training loss when the run did "
            + "not evaluate), wall time in seconds, training samples/s, the mean share of training time each rank "
            + "spent communicating and waiting for slower ranks, the peak activation memory (runs with gradient "
            + "checkpointing) and the number of sync/async mode switches (update.mode auto). A '-' means the run "
            + "did not record that figure; a run without summary.json (crashed or still running) is marked "
            + "unfinished."},
    optionListHeading = "%nOptions:%n",
    parameterListHeading = "%nArguments:%n",
    footerHeading = "%nExamples:%n",
    footer = {
        "  lockstep compare runs/sync runs/async runs/auto",
        "  lockstep compare runs/*",
        "  lockstep compare --json runs/* | jq -s 'max_by(.test_accuracy) | .dir'"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the table was printed", "2:a directory is not a run directory"})
final class CompareCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "RUN_DIR", arity = "1..*", description = "Run directories (<run.out_dir>/<run.name>).")
  List<Path> runs = new ArrayList<>();

  @Option(names = "--json",
      description = "One JSON object per run instead of the table (kind \"run\"): run, dir, finished, ranks, steps, test_accuracy, "
          + "test_loss, final_train_loss, wall_seconds, samples_per_s, comm_share, wait_share (fractions), "
          + "activation_peak_bytes, mode_switches; null where the run did not record the figure.")
  boolean json;

  @Override
  public Integer call() {
    TextTable table = new TextTable("run", "ranks", "steps", "test acc", "test loss", "final loss", "wall s",
        "samples/s", "comm", "wait", "peak act.", "switches");
    for (Path dir : runs) {
      RunRecords run;
      try {
        run = RunRecords.read(dir);
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("lockstep: " + e.getMessage());
        spec.commandLine().getErr().flush();
        return ExitCodes.USAGE;
      }
      if (json) {
        JsonLines.print(spec.commandLine().getOut(), record(run, dir));
      } else {
        table.row(row(run));
      }
    }
    if (json) {
      return ExitCodes.OK;
    }
    spec.commandLine().getOut().print(table.render());
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  static String[] row(RunRecords run) {
    Optional<JsonNode> s = run.summary();
    if (s.isEmpty()) {
      String lastLoss = run.train().isEmpty() ? "-" : fixed(run.train().get(run.train().size() - 1).loss(), 4);
      return new String[] {run.name() + " (unfinished)", "-", run.train().isEmpty() ? "-"
          : String.valueOf(run.train().get(run.train().size() - 1).step()), "-", "-", lastLoss, "-", "-", "-", "-",
          "-", "-"};
    }
    JsonNode j = s.get();
    double trainSeconds = j.path("train_seconds").asDouble(Double.NaN);
    return new String[] {
        run.name(),
        text(j, "ranks"),
        text(j, "steps"),
        j.has("test_accuracy") ? fixed(j.get("test_accuracy").asDouble(), 4) : "-",
        j.has("test_loss") ? fixed(j.get("test_loss").asDouble(), 4) : "-",
        j.has("final_train_loss") ? fixed(j.get("final_train_loss").asDouble(), 4) : "-",
        j.has("wall_seconds") ? fixed(j.get("wall_seconds").asDouble(), 1) : "-",
        j.has("samples_per_s") ? fixed(j.get("samples_per_s").asDouble(), 0) : "-",
        share(j, "communication_s", trainSeconds),
        share(j, "wait_s", trainSeconds),
        peakActivation(j),
        modeSwitches(j)};
  }

  /** The row's figures as numbers (for --json), null where the run did not record one. */
  static Map<String, Object> record(RunRecords run, Path dir) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("kind", "run");
    r.put("run", run.name());
    r.put("dir", dir.toAbsolutePath().normalize().toString());
    Optional<JsonNode> s = run.summary();
    r.put("finished", s.isPresent());
    JsonNode j = s.orElse(null);
    boolean noSteps = run.train().isEmpty();
    r.put("ranks", j != null && j.has("ranks") ? j.get("ranks").asInt() : null);
    r.put("steps", j != null && j.has("steps") ? (Object) j.get("steps").asLong()
        : noSteps ? null : run.train().get(run.train().size() - 1).step());
    r.put("test_accuracy", number(j, "test_accuracy"));
    r.put("test_loss", number(j, "test_loss"));
    r.put("final_train_loss", j != null ? number(j, "final_train_loss")
        : noSteps ? null : run.train().get(run.train().size() - 1).loss());
    r.put("wall_seconds", number(j, "wall_seconds"));
    r.put("samples_per_s", number(j, "samples_per_s"));
    double trainSeconds = j == null ? Double.NaN : j.path("train_seconds").asDouble(Double.NaN);
    r.put("comm_share", j == null ? null : meanShare(j, "communication_s", trainSeconds));
    r.put("wait_share", j == null ? null : meanShare(j, "wait_s", trainSeconds));
    double peak = j == null ? Double.NaN : peakActivationBytes(j);
    r.put("activation_peak_bytes", Double.isNaN(peak) ? null : (long) peak);
    JsonNode m = j == null ? null : j.get("mode_switches");
    r.put("mode_switches", m == null || m.isNull() ? null : m.isArray() ? m.size() : m.asInt());
    return r;
  }

  private static Double number(JsonNode j, String key) {
    return j != null && j.has(key) && j.get(key).isNumber() ? j.get(key).asDouble() : null;
  }

  private static String text(JsonNode j, String key) {
    return j.has(key) ? j.get(key).asText() : "-";
  }

  private static String fixed(double v, int decimals) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "-";
  }

  /** Mean over ranks of per_rank[].{key} / train_seconds, as a percentage. */
  static String share(JsonNode j, String key, double trainSeconds) {
    Double share = meanShare(j, key, trainSeconds);
    return share == null ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * share);
  }

  /** Mean over ranks of per_rank[].{key} / train_seconds; null when the run did not record it. */
  static Double meanShare(JsonNode j, String key, double trainSeconds) {
    JsonNode perRank = j.path("per_rank");
    if (!perRank.isArray() || perRank.isEmpty() || !(trainSeconds > 0)) {
      return null;
    }
    double sum = 0;
    for (JsonNode r : perRank) {
      sum += r.path(key).asDouble(0);
    }
    return sum / perRank.size() / trainSeconds;
  }

  /** summary.json's activation_peak_bytes (or the largest per_rank one), in MiB. */
  static String peakActivation(JsonNode j) {
    double bytes = peakActivationBytes(j);
    return Double.isNaN(bytes) ? "-" : String.format(Locale.ROOT, "%.1f MiB", bytes / (1 << 20));
  }

  private static double peakActivationBytes(JsonNode j) {
    double bytes = j.path("activation_peak_bytes").asDouble(Double.NaN);
    for (JsonNode r : j.path("per_rank")) {
      if (r.has("activation_peak_bytes")) {
        bytes = Double.isNaN(bytes) ? r.get("activation_peak_bytes").asDouble()
            : Math.max(bytes, r.get("activation_peak_bytes").asDouble());
      }
    }
    return bytes;
  }

  /** summary.json's mode_switches: a count, or the list of switches. */
  static String modeSwitches(JsonNode j) {
    JsonNode m = j.get("mode_switches");
    if (m == null || m.isNull()) {
      return "-";
    }
    return m.isArray() ? String.valueOf(m.size()) : m.asText();
  }
}
