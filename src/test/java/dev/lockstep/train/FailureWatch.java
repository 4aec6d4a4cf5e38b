package dev.lockstep.train;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job's output that notes when a simulated failure announces itself ("lockstep: rank R (pid P): simulate.fail:
 * ..."), so a test can measure the time from the failure to the job's exit, and act on the pid (kill -9).
 */
final class FailureWatch extends ByteArrayOutputStream {
  private static final Pattern ANNOUNCED = Pattern.compile("\\(pid (\\d+)\\): simulate\\.fail: ");
  private final LongConsumer onFailure;
  private volatile long failedAtNanos;
  /** The measured failure-to-exit time, set by the test once the job has ended. */
  double seconds;

  FailureWatch(LongConsumer onFailure) {
    this.onFailure = onFailure;
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    super.write(b, off, len);
    if (failedAtNanos == 0) {
      Matcher m = ANNOUNCED.matcher(toString(StandardCharsets.UTF_8));
      if (m.find()) {
        failedAtNanos = System.nanoTime();
        onFailure.accept(Long.parseLong(m.group(1)));
      }
    }
  }

  /** Seconds from the announced failure to now; NaN when none was announced. */
  double secondsSinceFailure() {
    return failedAtNanos == 0 ? Double.NaN : (System.nanoTime() - failedAtNanos) / 1e9;
  }
}
