package dev.lockstep.comm.shm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which processes may share memory: those with equal keys run on one machine (same kernel boot) in one network
 * namespace. The namespace matters because lockstep's cluster tests emulate two hosts with two network namespaces of
 * one machine: their ranks share /dev/shm but must still talk over the network, like ranks of two real hosts.
 */
public final class HostKey {
  private HostKey() {}

  /** hostname / network namespace / boot id, or null where /proc cannot tell (not Linux): share nothing then. */
  public static String ofThisProcess() {
    return of(Path.of("/proc"));
  }

  static String of(Path proc) {
    try {
      String host = Files.readString(proc.resolve("sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
      String netns = Files.readSymbolicLink(proc.resolve("self/ns/net")).toString(); // "net:[4026531833]"
      String boot = Files.readString(proc.resolve("sys/kernel/random/boot_id"), StandardCharsets.UTF_8).strip();
      return host + "/" + netns + "/" + boot;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }
}
