package dev.lockstep.comm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeadlineWatchdogTest {
  /** Records instead of halting; {@code expired} counts down so the test can wait for it. */
  private static final class Recorder implements DeadlineWatchdog.Expiry {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CountDownLatch expired = new CountDownLatch(1);
    final List<Double> warnedAfter = new CopyOnWriteArrayList<>();
    volatile long expiredAtNanos;

    @Override
    public void stallWarning(String op, long seq, double waitedSeconds, double timeoutSeconds) {
      events.add("warn " + op + " #" + seq + " waited>=" + (waitedSeconds >= timeoutSeconds / 2));
      warnedAfter.add(waitedSeconds);
    }

    @Override
    public void expired(String op, long seq, double timeoutSeconds) {
      expiredAtNanos = System.nanoTime();
      events.add("expired " + op + " #" + seq + " after " + timeoutSeconds);
      expired.countDown();
    }
  }

  @Test
  void anArmedCallThatNeverReturnsExpiresAtItsDeadlineAfterOneWarning() throws InterruptedException {
    Recorder recorder = new Recorder();
    try (DeadlineWatchdog watchdog = new DeadlineWatchdog("test-watchdog", 0.4, recorder)) {
      long start = System.nanoTime();
      watchdog.arm("allreduce");

      assertThat(recorder.expired.await(5, TimeUnit.SECONDS)).isTrue();
      double seconds = (recorder.expiredAtNanos - start) / 1e9;
      assertThat(seconds).isBetween(0.4, 3.0);
      assertThat(recorder.events).containsExactly("warn allreduce #0 waited>=true", "expired allreduce #0 after 0.4");
    }
  }

  @Test
  void aStalledCollectiveWarnsEveryWarnAfterPeriodUntilItsDeadline() throws InterruptedException {
    Recorder recorder = new Recorder();
    try (DeadlineWatchdog watchdog = new DeadlineWatchdog("test-watchdog", 1.3, 0.3, recorder)) {
      watchdog.arm("allreduce", 17);

      assertThat(recorder.expired.await(5, TimeUnit.SECONDS)).isTrue();
      // due at 0.3, 0.6, 0.9, 1.2 s; a late wake-up on a busy machine folds missed ones into one
      assertThat(recorder.warnedAfter).hasSizeBetween(2, 4).allSatisfy(w -> assertThat(w).isBetween(0.3, 1.3));
      assertThat(recorder.warnedAfter).isSorted();
      assertThat(recorder.events.get(0)).isEqualTo("warn allreduce #17 waited>=false");
      assertThat(recorder.events.get(recorder.events.size() - 1)).isEqualTo("expired allreduce #17 after 1.3");
    }
  }

  @Test
  void callsThatReturnInTimeNeverExpireHoweverManyThereAre() throws InterruptedException {
    Recorder recorder = new Recorder();
    try (DeadlineWatchdog watchdog = new DeadlineWatchdog("test-watchdog", 0.5, recorder)) {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
      while (System.nanoTime() < end) { // three deadlines' worth of short calls
        watchdog.arm("barrier");
        Thread.sleep(20);
        watchdog.disarm();
      }
      assertThat(recorder.expired.await(700, TimeUnit.MILLISECONDS)).isFalse(); // idle after: nothing armed
      assertThat(recorder.events).isEmpty();
    }
  }

  @Test
  void aShorterTimeoutAppliesToTheNextCallEvenWhileTheWatchdogIdles() throws InterruptedException {
    Recorder recorder = new Recorder();
    try (DeadlineWatchdog watchdog = new DeadlineWatchdog("test-watchdog", 120, recorder)) {
      Thread.sleep(50); // let it park on the long idle period
      watchdog.setTimeoutSeconds(0.3);
      long start = System.nanoTime();
      watchdog.arm("broadcast");

      assertThat(recorder.expired.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat((recorder.expiredAtNanos - start) / 1e9).isBetween(0.3, 3.0);
      assertThat(watchdog.timeoutSeconds()).isEqualTo(0.3);
    }
  }
}
