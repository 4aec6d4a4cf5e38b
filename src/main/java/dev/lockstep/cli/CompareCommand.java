package dev.lockstep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.metrics.RunRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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
        "  lockstep compare runs/*"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the table was printed", "2:a directory is not a run directory"})
final class CompareCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "RUN_DIR", arity = "1..*", description = "Run directories (<run.out_dir>/<run.name>).")
  List<Path> runs = new ArrayList<>();

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
      table.row(row(run));
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

  private static String text(JsonNode j, String key) {
    return j.has(key) ? j.get(key).asText() : "-";
  }

  private static String fixed(double v, int decimals) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "-";
  }

  /** Mean over ranks of per_rank[].{key} / train_seconds. */
  static String share(JsonNode j, String key, double trainSeconds) {
    JsonNode perRank = j.path("per_rank");
    if (!perRank.isArray() || perRank.isEmpty() || !(trainSeconds > 0)) {
      return "-";
    }
    double sum = 0;
    for (JsonNode r : perRank) {
      sum += r.path(key).asDouble(0);
    }
    return String.format(Locale.ROOT, "%.0f%%", 100 * sum / perRank.size() / trainSeconds);
  }

  /** summary.json's activation_peak_bytes (or the largest per_rank one), in MiB. */
  static String peakActivation(JsonNode j) {
    double bytes = j.path("activation_peak_bytes").asDouble(Double.NaN);
    for (JsonNode r : j.path("per_rank")) {
      if (r.has("activation_peak_bytes")) {
        bytes = Double.isNaN(bytes) ? r.get("activation_peak_bytes").asDouble()
            : Math.max(bytes, r.get("activation_peak_bytes").asDouble());
      }
    }
    return Double.isNaN(bytes) ? "-" : String.format(Locale.ROOT, "%.1f MiB", bytes / (1 << 20));
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
