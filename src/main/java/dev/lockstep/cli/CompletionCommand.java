package dev.lockstep.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lockstep completion}: a bash/zsh completion script generated from the command model itself. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    headerHeading = "%n",
    header = "Print a bash completion script for lockstep (commands, options, files).",
    descriptionHeading = "%n",
    description = {"Generated from the same model that parses the command line, so it always matches this "
        + "version. Works in bash and in zsh (after 'autoload -U +X bashcompinit && bashcompinit')."},
    optionListHeading = "%nOptions:%n",
    footerHeading = "%nExamples:%n",
    footer = {
        "  This shell only:         source <(lockstep completion)",
        "  Every new bash session:  lockstep completion > ~/.local/share/bash-completion/completions/lockstep"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the script was printed"})
final class CompletionCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    CommandSpec root = spec.root();
    spec.commandLine().getOut().print(AutoComplete.bash(root.name(), root.commandLine()));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
