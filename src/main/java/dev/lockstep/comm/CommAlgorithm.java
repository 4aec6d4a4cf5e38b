package dev.lockstep.comm;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** How a float allreduce travels ({@code comm.algorithm}). */
public enum CommAlgorithm {
  /**
   * shm where the ranks share a JVM, shm_process where they are processes of one host, else ring for large messages
   * and MPJ's built-in for small ones.
   */
  AUTO,
  /** Through memory among the rank threads of one JVM ({@code multicore} started by lockstep's launcher). */
  SHM,
  /** Through a shared file mapping ({@code /dev/shm}) among rank processes of one host ({@code niodev} there). */
  SHM_PROCESS,
  /** Ring reduce-scatter + allgather over MPJ point-to-point, segmented and pipelined. */
  RING,
  /** MPJ Express's built-in {@code Allreduce} (tree reduce + broadcast): the reference. */
  MPJ;

  public static final List<String> NAMES =
      Arrays.stream(values()).map(a -> a.name().toLowerCase(Locale.ROOT)).toList();

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CommAlgorithm parse(String name) {
    for (CommAlgorithm a : values()) {
      if (a.configName().equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("comm.algorithm: must be one of " + String.join(", ", NAMES) + " (got \""
        + name + "\")");
  }
}
