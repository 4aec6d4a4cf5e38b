package dev.lockstep.train;

import dev.lockstep.comm.Communicator;
import java.util.function.Supplier;

/**
 * Work only rank 0 does before training (the run directory, its checks, the first files), followed by one small
 * collective that tells every rank whether it worked. Without it a failure on rank 0 would leave the other ranks
 * waiting in their next collective until the deadline; with it every rank stops at once with exit code 2.
 */
final class LeadSetup {
  private LeadSetup() {}

  /** The other ranks' view of a setup failure on rank 0; rank 0 reports the actual reason. */
  static final class FailedOnLead extends IllegalArgumentException {
    FailedOnLead() {
      super("rank 0 could not set up the run");
    }
  }

  /** Runs {@code setup} on rank 0 (null elsewhere); throws on every rank if it failed on rank 0. */
  static <T> T run(Communicator comm, Supplier<T> setup) {
    RuntimeException failure = null;
    T result = null;
    if (comm.rank() == 0) {
      try {
        result = setup.get();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    long[] failed = {failure != null ? 1 : 0};
    comm.allreduceSum(failed);
    if (failure != null) {
      throw failure;
    }
    if (failed[0] != 0) {
      throw new FailedOnLead();
    }
    return result;
  }
}
