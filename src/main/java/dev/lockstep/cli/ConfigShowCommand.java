package dev.lockstep.cli;

import dev.lockstep.config.ConfigWriter;
import dev.lockstep.config.LockstepConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lockstep config show}: the effective config, every default filled in, as the ranks will see it. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    headerHeading = "%n",
    header = "Print the effective config: the file with every --set applied and every default filled in.",
    descriptionHeading = "%n",
    description = {
        "Validates like train does (exit 2 and file:line: key.path: problem on stderr when something is wrong) "
            + "and prints YAML that lockstep reads back unchanged: a full, explicit copy to start a new config "
            + "from, or to see what a run will use. The gradient-checkpointing plan (which layers form each "
            + "segment, predicted activation memory per rank) follows as YAML comments."},
    optionListHeading = "%nOptions:%n",
    footerHeading = "%nExamples:%n",
    footer = {
        "  lockstep config show -c configs/fashion-mnist-mlp.yaml",
        "  lockstep config show -c configs/fashion-mnist-mlp.yaml \\",
        "      --set optimizer.type=adam > my-run.yaml"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the config is valid and was printed", "2:bad usage or an invalid config"})
final class ConfigShowCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @Override
  public Integer call() {
    LockstepConfig cfg = config.load();
    String plan;
    try {
      plan = CheckpointingPlanComment.of(cfg);
    } catch (IllegalArgumentException e) { // the config does not fit its model or data, as train would find
      spec.commandLine().getErr().println("lockstep: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    spec.commandLine().getOut().print(ConfigWriter.toYaml(cfg));
    spec.commandLine().getOut().print(plan);
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
