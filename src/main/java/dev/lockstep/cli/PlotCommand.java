package dev.lockstep.cli;

import dev.lockstep.metrics.RunPlots;
import dev.lockstep.metrics.RunRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lockstep plot}: PNG charts of one run's curves, or several runs overlaid. */
@Command(
    name = "plot",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    headerHeading = "%n",
    header = "Draw loss and accuracy curves of one or more runs as PNG charts.",
    descriptionHeading = "%n",
    description = {
        "Reads each run directory's metrics.jsonl and writes four charts of 800x480 pixels: loss-vs-step.png, "
            + "accuracy-vs-step.png, loss-vs-time.png and accuracy-vs-time.png. Each run draws a solid 'train' "
            + "line (the logged steps: loss and accuracy of that step's global batch) and a dashed 'test' line "
            + "with markers (the evaluations), in its own colour; several runs overlay in the same charts, named "
            + "by their directories. Needs no display (drawn headless).",
        "",
        "A run writes the same charts into <run dir>/plots/ by itself with output.plots: true."},
    optionListHeading = "%nOptions:%n",
    parameterListHeading = "%nArguments:%n",
    footerHeading = "%nExamples:%n",
    footer = {
        "  lockstep plot runs/fashion-mnist-mlp                 # -> runs/fashion-mnist-mlp/plots/",
        "  lockstep plot runs/sync runs/async runs/auto -o cmp   # three runs overlaid, into cmp/"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the charts were written", "2:a directory is not a run directory or has nothing to plot"})
final class PlotCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "RUN_DIR", arity = "1..*", description = "Run directories (<run.out_dir>/<run.name>).")
  List<Path> runs = new ArrayList<>();

  @Option(names = {"-o", "--out"}, paramLabel = "DIR",
      description = "Where to write the charts (default: RUN_DIR/plots for one run, ./plots for several).")
  Path out;

  @Override
  public Integer call() {
    Path target = out != null ? out : runs.size() == 1 ? runs.get(0).resolve("plots") : Path.of("plots");
    List<Path> written;
    try {
      List<RunRecords> records = new ArrayList<>();
      for (Path dir : runs) {
        records.add(RunRecords.read(dir));
      }
      written = RunPlots.write(records, target);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("lockstep: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return ExitCodes.USAGE;
    }
    for (Path p : written) {
      spec.commandLine().getOut().println(p);
    }
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
