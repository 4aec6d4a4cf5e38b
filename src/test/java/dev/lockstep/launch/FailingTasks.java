package dev.lockstep.launch;

import dev.lockstep.comm.Communicator;
import dev.lockstep.comm.MpjCommunicator;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.Loader;

/** Rank tasks that fail in the ways a real job can, run inside real MPJ ranks by {@link LauncherTest}. */
final class FailingTasks {
  private FailingTasks() {}

  /** Rank 1 throws while the others wait for it in a collective. */
  static final class ThrowOnRankOne implements RankTask {
    @Override
    public int run(Communicator comm, String[] args) {
      if (comm.rank() == 1) {
        throw new IllegalStateException("boom in the test task");
      }
      comm.barrier();
      return 0;
    }
  }

  /** Rank 1 stalls forever outside any collective; the others wait in allreduce with a deadline of args[1] s. */
  static final class StallOnRankOne implements RankTask {
    @Override
    public int run(Communicator comm, String[] args) throws InterruptedException {
      ((MpjCommunicator) comm).setTimeoutSeconds(Double.parseDouble(args[1]));
      if (comm.rank() == 1) {
        Thread.sleep(Long.MAX_VALUE);
      }
      comm.allreduceSum(new double[] {1});
      return 0;
    }
  }

  /** Rank 1's process dies of SIGKILL (the OOM killer's way) while the others wait for it in a collective. */
  static final class KilledRankOne implements RankTask {
    @Override
    public int run(Communicator comm, String[] args) throws Exception {
      if (comm.rank() == 1) {
        new ProcessBuilder("kill", "-KILL", String.valueOf(ProcessHandle.current().pid())).start().waitFor();
        Thread.sleep(60_000);
      }
      comm.barrier();
      return 0;
    }
  }

  /** Rank 0 reports a bad configuration by returning 2; the others return 0. */
  static final class UsageErrorOnRankZero implements RankTask {
    @Override
    public int run(Communicator comm, String[] args) {
      if (comm.rank() == 0) {
        System.err.println("lockstep: test config is bad");
        return 2;
      }
      return 0;
    }
  }

  /** Rank 1 ends its JVM with System.exit(0) mid-job, the way MPJ's own starter does on some failures. */
  static final class ExitZeroOnRankOne implements RankTask {
    @Override
    public int run(Communicator comm, String[] args) throws InterruptedException {
      if (comm.rank() == 1) {
        System.exit(0);
      }
      Thread.sleep(60_000);
      return 0;
    }
  }

  /**
   * Prints what the launcher promises about class loading under multicore and hybdev: native-bearing jars (JavaCPP)
   * come from the JVM's own class loader, shared by all ranks; lockstep's classes (this one) from a per-rank loader, so
   * a static counter counts one rank only; and whether the shared-memory collectives are open to this rank (only
   * where every rank is a thread of this JVM).
   */
  static final class Hello implements RankTask {
    private static final AtomicInteger RUNS = new AtomicInteger();

    @Override
    public int run(Communicator comm, String[] args) {
      ClassLoader system = ClassLoader.getSystemClassLoader();
      System.out.println("hello from rank " + comm.rank() + " of " + comm.size()
          + " args=" + String.join(",", args)
          + " javacpp-on-jvm-classpath=" + (Loader.class.getClassLoader() == system)
          + " app-per-rank=" + (Hello.class.getClassLoader() != system)
          + " runs-in-this-loader=" + RUNS.incrementAndGet()
          + " shm=" + ((MpjCommunicator) comm).sharedMemoryAvailable());
      return 0;
    }
  }
}
