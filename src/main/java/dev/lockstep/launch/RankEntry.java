package dev.lockstep.launch;

/** SCAFFOLD (replaced by the launch work): the per-rank entry point behind MPJ's starters. */
public final class RankEntry {
  private RankEntry() {}

  public static boolean isMpjRankInvocation(String[] args) {
    return false;
  }

  public static void run(String[] args) {
    throw new UnsupportedOperationException("rank entry not built yet");
  }
}
