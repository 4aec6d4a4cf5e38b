package dev.lockstep.train;

import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Parameters;
import dev.lockstep.update.StepStats;
import java.util.Locale;

/**
 * update.on_nonfinite: what a step whose summed loss or averaged gradient holds a NaN/Inf does. The update was
 * already withheld (identically on every rank, see SyncUpdate); {@code stop} ends the run naming the step and the
 * first bad parameter block, {@code skip_step} goes on with the next batch.
 */
public final class NonFiniteStep {
  /** Thrown on every rank by update.on_nonfinite: stop; rank 0 prints it, the job exits 3. */
  public static final class Stop extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Stop(String message) {
      super(message);
    }
  }

  private NonFiniteStep() {}

  /** The one-line description of where the NaN/Inf is. */
  static String describe(StepStats stats, long step, int epoch, Parameters params) {
    String where;
    if (stats.nonFiniteAt() >= params.length()) {
      where = String.format(Locale.ROOT, "the loss is %s", stats.meanLoss());
    } else {
      LayerRange block = params.rangeAt(stats.nonFiniteAt());
      where = String.format(Locale.ROOT, "first non-finite gradient in parameter block layers.%d %s (element %d "
          + "of %d)", block.layerIndex(), block.name(), stats.nonFiniteAt() - block.offset(), block.length());
    }
    return String.format(Locale.ROOT, "step %d (epoch %d): %s", step, epoch, where);
  }

  /** Returns normally for skip_step (after saying so); throws {@link Stop} for stop. */
  static String handle(String policy, StepStats stats, long step, int epoch, Parameters params) {
    String what = describe(stats, step, epoch, params);
    if (policy.equals("skip_step")) {
      return what + "; skipped this update (update.on_nonfinite: skip_step)";
    }
    throw new Stop("non-finite values at " + what + "; stopped before applying it, the weights are those after step "
        + (step - 1) + " (update.on_nonfinite: stop; lower optimizer.lr if training diverged)");
  }
}
