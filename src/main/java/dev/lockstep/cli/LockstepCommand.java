package dev.lockstep.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
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
    int code = commandLine(out, err).execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /**
   * The whole command tree, writing to {@code out} and {@code err}: help as wide as the terminal (80 columns when
   * there is none: a pipe, a file), and an Environment section in the help of lockstep and train.
   */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    ErrorReporting errors = new ErrorReporting();
    CommandLine cmd = new CommandLine(new LockstepCommand())
        .setOut(out)
        .setErr(err)
        .setParameterExceptionHandler(errors)
        .setExecutionExceptionHandler(errors)
        .setUsageHelpAutoWidth(true); // the whole tree: set after the subcommands are registered
    addEnvironmentSection(cmd);
    addEnvironmentSection(cmd.getSubcommands().get("train"));
    return cmd;
  }

  /** The environment variables lockstep reads (bin/lockstep, the launcher, the ranks), as a help section. */
  static final Map<String, String> ENVIRONMENT = environment();

  private static Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LOCKSTEP_JAVA_OPTS", "JVM options of the lockstep command itself (bin/lockstep): the launcher, "
        + "doctor, plot, bench checkpointing, ... e.g. -Xmx4g");
    env.put("LOCKSTEP_RANK_JAVA_OPTS", "JVM options of the rank JVMs the launcher starts (the multicore JVM, each "
        + "niodev rank, each hybdev host JVM), split on spaces, e.g. '-Xmx16g -XX:+UseParallelGC'");
    env.put("LOCKSTEP_DEBUG", "1: stack traces of rank failures, and why no GPU is usable in the CPU-fallback line");
    env.put("MPJ_HOME", "an MPJ Express installation to use instead of the one lockstep assembles from Debian's "
        + "libmpj-java (target/mpj-home)");
    env.put("TERM", "dumb: plain progress lines instead of the live progress bar on a terminal");
    return env;
  }

  private static void addEnvironmentSection(CommandLine cmd) {
    Map<String, CommandLine.IHelpSectionRenderer> sections = cmd.getHelpSectionMap();
    sections.put("environmentHeading", help -> help.createHeading("%nEnvironment:%n"));
    sections.put("environment", help -> help.createTextTable(ENVIRONMENT).toString());
    List<String> keys = new ArrayList<>(cmd.getHelpSectionKeys());
    int at = keys.indexOf(UsageMessageSpec.SECTION_KEY_FOOTER_HEADING);
    keys.addAll(at, List.of("environmentHeading", "environment"));
    cmd.setHelpSectionKeys(keys);
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(),
        "Missing command: expected one of " + String.join(", ", spec.subcommands().keySet()));
  }
}
