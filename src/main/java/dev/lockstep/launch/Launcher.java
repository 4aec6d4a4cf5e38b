package dev.lockstep.launch;

/** SCAFFOLD (replaced by the launch work): starts and supervises the ranks of one job. */
public final class Launcher {
  private Launcher() {}

  /** Starts the ranks, waits for them, and returns the job's exit code (DESIGN §7). */
  public static int launch(LaunchSpec spec) {
    throw new UnsupportedOperationException("launcher not built yet");
  }
}
