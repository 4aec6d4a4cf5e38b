package dev.lockstep.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lockstep bench}: the group of benchmarks (tables for people, not tests). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    headerHeading = "%n",
    header = "Run a benchmark and print a table.",
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n",
    optionListHeading = "%nOptions:%n",
    footerHeading = "%nExamples:%n",
    footer = {"  lockstep bench allreduce --np 2 --dev multicore --sizes 4K,256K,4M,64M",
        "  lockstep bench checkpointing --hidden 1024"},
    subcommands = {BenchAllreduceCommand.class, BenchCheckpointingCommand.class})
final class BenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing command: expected one of allreduce, checkpointing");
  }
}
