package dev.lockstep.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small tmpfs mounted for one test (root only), so "disk full" is a real ENOSPC from the kernel. */
final class TinyFilesystem implements AutoCloseable {
  private final Path path;

  private TinyFilesystem(Path path) {
    this.path = path;
  }

  /** Mounts a tmpfs of {@code size} (e.g. "300k") at {@code path}; null when this machine does not allow it. */
  static TinyFilesystem mount(Path path, String size) throws IOException, InterruptedException {
    Files.createDirectories(path);
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path.toString())
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0 ? new TinyFilesystem(path) : null;
  }

  Path path() {
    return path;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    new ProcessBuilder("umount", "-l", path.toString()).redirectErrorStream(true).start().waitFor();
  }
}
