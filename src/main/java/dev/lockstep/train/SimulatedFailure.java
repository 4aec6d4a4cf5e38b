package dev.lockstep.train;

import dev.lockstep.config.SimulateFailConfig;
import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Parameters;
import dev.lockstep.tensor.Backend;
import java.io.PrintStream;
import java.util.List;

/**
 * simulate.fail: makes one rank fail on purpose at one step, after its backward pass and before the update, the
 * way real ranks fail: the JVM exits, an exception escapes, the rank stops answering, or its gradients turn NaN.
 * Each prints one line first (with the rank's pid, so a test can also kill -9 it), for tests and demonstrations.
 */
final class SimulatedFailure {
  private final SimulateFailConfig fail;
  private final int rank;
  private final PrintStream err;

  SimulatedFailure(SimulateFailConfig fail, int rank, int ranks, PrintStream err) {
    if (fail.enabled() && fail.rank() >= ranks) {
      throw new IllegalArgumentException("simulate.fail.rank: " + fail.rank() + " is not a rank of this run (ranks "
          + "0.." + (ranks - 1) + ")");
    }
    this.fail = fail;
    this.rank = rank;
    this.err = err;
  }

  /** Fails now if this rank is to fail at (1-based) {@code step}. */
  void at(long step, Parameters params, Backend backend) {
    if (!fail.enabled() || fail.rank() != rank || fail.step() != step) {
      return;
    }
    String who = String.format("lockstep: rank %d (pid %d): simulate.fail: ", rank, ProcessHandle.current().pid());
    switch (fail.how()) {
      case "exit" -> {
        announce(who + "System.exit(1) at step " + step);
        System.exit(1);
      }
      case "throw" -> {
        announce(who + "throwing at step " + step);
        throw new IllegalStateException("simulate.fail: rank " + rank + " throws at step " + step);
      }
      case "hang" -> {
        announce(who + "hanging at step " + step);
        hangForever();
      }
      case "nan" -> {
        announce(who + "NaN in its gradient at step " + step);
        poison(params, backend);
      }
      default -> throw new IllegalStateException("simulate.fail.how: " + fail.how());
    }
  }

  private void announce(String line) {
    err.println(line);
    err.flush();
  }

  /** A NaN in the second parameter block (or the only one), so the report must find the right block. */
  private static void poison(Parameters params, Backend backend) {
    List<LayerRange> ranges = params.layerRanges();
    LayerRange block = ranges.get(Math.min(1, ranges.size() - 1));
    float[] grads = params.downloadGrads();
    grads[(int) (block.offset() + block.length() / 2)] = Float.NaN;
    backend.upload(grads, 0, params.grads());
  }

  @SuppressWarnings("InfiniteLoopStatement")
  private static void hangForever() {
    while (true) {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        // a hung rank does not answer interrupts either
      }
    }
  }
}
