package dev.lockstep.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code <out_dir>/<name>/}: where a run leaves everything (DESIGN §7). A second run with the same name gets
 * {@code <name>-2}, {@code <name>-3}, … instead of overwriting the first one's results; {@code --run-dir} names the
 * directory exactly instead.
 */
public final class RunDirectory {
  private final Path path;

  private RunDirectory(Path path) {
    this.path = path;
  }

  /** Creates a fresh run directory (rank 0 only). */
  public static RunDirectory createFresh(Path outDir, String name) {
    try {
      Files.createDirectories(outDir);
      Path candidate = outDir.resolve(name);
      for (int n = 2; ; n++) {
        try {
          Files.createDirectory(candidate);
          return new RunDirectory(candidate);
        } catch (java.nio.file.FileAlreadyExistsException taken) {
          candidate = outDir.resolve(name + "-" + n);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create run directory under " + outDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Exactly {@code dir} ({@code train --run-dir}), created with its parents if missing. An existing one must be empty:
   * a directory with files holds another run's results (or something else), which a run must not mix with its own.
   */
  public static RunDirectory createExact(Path dir) {
    try {
      Files.createDirectories(dir);
      try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IOException(dir + " exists and is not empty (choose a new or empty directory; to continue a "
              + "run there, use --resume " + dir + ")");
        }
      }
      return new RunDirectory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /** An existing run directory that a resumed run continues writing into. */
  public static RunDirectory existing(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new UncheckedIOException(new IOException("no run directory " + dir));
    }
    return new RunDirectory(dir);
  }

  public Path path() {
    return path;
  }

  public Path file(String name) {
    return path.resolve(name);
  }

  /** Writes {@code content} atomically: a reader sees the old file or the whole new one, never half of it. */
  public void writeAtomically(String name, byte[] content) {
    Path target = file(name);
    Path tmp = file("." + name + ".tmp");
    try {
      Files.write(tmp, content);
      Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }
}
