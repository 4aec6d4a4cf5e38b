package dev.lockstep.cli;

/** SCAFFOLD (replaced by the CLI work): the picocli root command. */
public final class LockstepCommand {
  private LockstepCommand() {}

  public static int execute(String[] args) {
    throw new UnsupportedOperationException("cli not built yet");
  }
}
