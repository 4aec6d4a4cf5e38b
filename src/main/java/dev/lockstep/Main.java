package dev.lockstep;

import dev.lockstep.cli.LockstepCommand;
import dev.lockstep.launch.RankEntry;

/**
 * The one entry point of lockstep.jar. Users run the CLI ({@code lockstep train ...}); MPJ's starters call the
 * same main once per rank with MPJ's own prefix ({@code <rank> <size|config> <device> train ...}), which
 * {@link RankEntry} recognises, so {@code mpjrun.sh -jar lockstep.jar train ...} works without our launcher.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (RankEntry.isMpjRankInvocation(args)) {
      RankEntry.run(args);
      return;
    }
    System.exit(LockstepCommand.execute(args));
  }
}
