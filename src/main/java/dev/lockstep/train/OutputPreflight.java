package dev.lockstep.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Checks before the first step that the run directory can be written and that its disk has room for what the run
 * will write (one snapshot when snapshots are on, and the final model); a problem is bad usage (exit 2) with the
 * path and the reason. Space can still run out later (others write too): then the write itself fails, cleanly.
 */
final class OutputPreflight {
  private OutputPreflight() {}

  /** Creates a fresh run directory, turning "cannot" into a usage error naming run.out_dir. */
  static RunDirectory createRunDirectory(Path outDir, String name) {
    try {
      return RunDirectory.createFresh(outDir, name);
    } catch (java.io.UncheckedIOException e) {
      throw new IllegalArgumentException("run.out_dir: " + e.getMessage());
    }
  }

  /** Creates exactly {@code dir} (train --run-dir), turning "cannot" into a usage error naming the option. */
  static RunDirectory createExactRunDirectory(Path dir) {
    try {
      return RunDirectory.createExact(dir);
    } catch (java.io.UncheckedIOException e) {
      throw new IllegalArgumentException("--run-dir: " + e.getMessage());
    }
  }

  /** Probes {@code dir} with a file and compares its free space with {@code bytesNeeded}. */
  static void check(Path dir, long bytesNeeded) {
    Path probe = dir.resolve(".lockstep-write-probe");
    try {
      Files.write(probe, new byte[] {1});
      Files.delete(probe);
    } catch (IOException e) {
      throw new IllegalArgumentException("run.out_dir: cannot write in " + dir + ": " + e);
    }
    long free;
    try {
      free = Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      return; // unknown: the writes will tell
    }
    if (free < bytesNeeded) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "run.out_dir: %s has %s free, the run needs "
          + "about %s (a snapshot and the final model)", dir, kib(free), kib(bytesNeeded)));
    }
  }

  /** Bytes one snapshot takes: weights and optimizer state as float32, plus a little text. */
  static long snapshotBytes(long parameters, int stateBuffers) {
    return 4L * parameters * (1 + stateBuffers) + 64 * 1024;
  }

  private static String kib(long bytes) {
    return String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
  }
}
