package dev.lockstep.launch;

import java.nio.file.Path;
import java.util.List;

/**
 * What the launcher starts: {@code np} ranks on MPJ device {@code device} (multicore | niodev | hybdev),
 * optionally across the hosts of {@code machines}, each rank running lockstep's Main with {@code rankArgs}
 * (e.g. {@code train -c cfg.yaml --set a=b}). {@code maxRestarts}: how often a job whose rank failed (exit 3) is
 * started again from the newest snapshot of its run (train rank commands only; 0 = never).
 */
public record LaunchSpec(int np, String device, Path machines, List<String> rankArgs, int maxRestarts) {
  public LaunchSpec(int np, String device, Path machines, List<String> rankArgs) {
    this(np, device, machines, rankArgs, 0);
  }
}
