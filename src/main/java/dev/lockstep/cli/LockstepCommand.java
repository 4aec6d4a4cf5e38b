package dev.lockstep.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code lockstep} command: parses the command line, runs one subcommand, returns the exit code. */
@Command(
    name = "lockstep",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    headerHeading = "%n",
    header = "Synchronous data-parallel neural-network training on MPJ Express.",
    synopsisSubcommandLabel = "COMMAND",
    descriptionHeading = "%n",
    description = {
        "N ranks each hold a full copy of the model, train on their own shard of every batch and average "
            + "gradients before each step, so the replicas stay identical. A run is described by one YAML "
            + "config; 'lockstep COMMAND --help' explains each command."},
    commandListHeading = "%nCommands:%n",
    optionListHeading = "%nOptions:%n",
    footerHeading = "%nExamples:%n",
    footer = {
        "  lockstep train -c configs/fashion-mnist-mlp.yaml --np 2",
        "  lockstep config show -c configs/fashion-mnist-mlp.yaml --set optimizer.lr=0.1",
        "  lockstep doctor",
        "  lockstep plot runs/fashion-mnist-mlp",
        "  lockstep compare runs/sync runs/async",
        "  source <(lockstep completion)",
        "  lockstep help train"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:internal error (a bug: please report the stack trace)",
        "2:bad usage, config or data",
        "3:a rank failed",
        "4:no usable device when one was demanded",
        "130:interrupted by SIGINT (Ctrl-C); 143: by SIGTERM"},
    subcommands = {TrainCommand.class, DaemonsCommand.class, ConfigCommand.class, SampleCommand.class, BenchCommand.class,
        PlotCommand.class, CompareCommand.class, DoctorCommand.class, CompletionCommand.class, HelpCommand.class})
public final class LockstepCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  /** Runs the command line {@code args} with stdout/stderr; returns the exit code (see {@link ExitCodes}). */
  public static int execute(String[] args) {
    Charset cs = Charset.defaultCharset();
    return execute(args, new PrintWriter(System.out, true, cs), new PrintWriter(System.err, true, cs));
  }

  /** As {@link #execute(String[])}, writing to {@code out} and {@code err} (tests, embedding). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    ErrorReporting errors = new ErrorReporting();
    CommandLine cmd = new CommandLine(new LockstepCommand())
        .setOut(out)
        .setErr(err)
        .setParameterExceptionHandler(errors)
        .setExecutionExceptionHandler(errors);
    int code = cmd.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(),
        "Missing command: expected one of train, config, sample, bench, plot, compare, doctor, completion, help");
  }
}
