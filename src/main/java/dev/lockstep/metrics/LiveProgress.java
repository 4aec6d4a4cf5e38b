package dev.lockstep.metrics;

import java.io.PrintStream;

/**
 * One epoch's progress bar on a terminal, redrawn in place ({@code \r}, erase to end of line) at most every
 * {@link #REDRAW_NANOS}; figures are over the epoch so far, the loss an exponential average of the steps' losses.
 */
public final class LiveProgress {
  static final long REDRAW_NANOS = 100_000_000L;
  private static final double LOSS_SMOOTHING = 0.1;

  private final PrintStream out;
  private int epoch, epochs;
  private long total, done, rows, correct, lastDraw;
  private long started;
  private double commSeconds, loss = Double.NaN;
  private boolean open;

  public LiveProgress(PrintStream out) {
    this.out = out;
  }

  public void startEpoch(int epoch, int epochs, long stepsInEpoch) {
    this.epoch = epoch;
    this.epochs = epochs;
    this.total = stepsInEpoch;
    done = rows = correct = 0;
    commSeconds = 0;
    loss = Double.NaN;
    started = System.nanoTime();
    lastDraw = 0;
  }

  /** One finished step: its mean loss, correct count and rows (global batch), this rank's communication seconds. */
  public void step(double stepLoss, long stepCorrect, long stepRows, double stepCommSeconds) {
    done++;
    rows += stepRows;
    correct += stepCorrect;
    commSeconds += stepCommSeconds;
    loss = Double.isNaN(loss) ? stepLoss : loss + LOSS_SMOOTHING * (stepLoss - loss);
    long now = System.nanoTime();
    if (now - lastDraw >= REDRAW_NANOS || done == total) {
      draw(now);
    }
  }

  /** Ends the epoch's line (the next output starts on a fresh line). */
  public void endEpoch() {
    if (open) {
      draw(System.nanoTime());
      out.println();
      out.flush();
      open = false;
    }
  }

  private void draw(long now) {
    double elapsed = Math.max(1e-9, (now - started) / 1e9);
    out.print("\r" + ProgressBar.render(epoch, epochs, done, total, elapsed, loss,
        rows == 0 ? 0 : (double) correct / rows, rows / elapsed, Math.min(1, commSeconds / elapsed)) + "\033[K");
    out.flush();
    lastDraw = now;
    open = true;
  }
}
