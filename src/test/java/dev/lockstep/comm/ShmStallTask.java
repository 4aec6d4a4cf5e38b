package dev.lockstep.comm;

import dev.lockstep.launch.RankTask;

/**
 * Runs inside real multicore ranks (started by {@link ShmDeadlineTest}): rank 0 allreduces through shared memory
 * with a 1 s deadline while rank 1 never arrives. args: {@code --task=<this class>}
 */
public final class ShmStallTask implements RankTask {
  @Override
  public int run(Communicator comm, String[] args) throws InterruptedException {
    MpjCommunicator mpj = (MpjCommunicator) comm;
    mpj.setTimeoutSeconds(1);
    mpj.setAlgorithm("shm");
    if (comm.rank() == 0) {
      comm.allreduceSum(new float[1 << 20], 0, 1 << 20);
      System.out.println("rank 0: allreduce returned without its peer");
    } else {
      Thread.sleep(60_000);
    }
    return 0;
  }
}
