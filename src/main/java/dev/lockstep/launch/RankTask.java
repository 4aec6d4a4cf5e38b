package dev.lockstep.launch;

import dev.lockstep.comm.Communicator;

/**
 * What one rank runs, chosen by the first application argument ({@code train} or {@code --task=<class>}, see
 * {@link RankEntry}). Runs on the rank's own thread; every rank runs the same task with the same arguments.
 * Implementations need a public no-argument constructor and must keep no mutable static state (under multicore the
 * ranks are threads of one JVM).
 */
public interface RankTask {
  /**
   * @param comm this rank's communicator (MPJ is initialised; {@link RankEntry} finalises it after a 0 return)
   * @param args the application arguments as MPJ delivered them, selector included ({@code args[0]} is
   *     {@code train} or {@code --task=...})
   * @return the job's exit code: 0 success, 2 bad usage/config/data, 3 failure, 4 no usable device. A non-zero
   *     return ends the whole job with that code; print the reason first (on the rank that saw it)
   */
  int run(Communicator comm, String[] args) throws Exception;
}
