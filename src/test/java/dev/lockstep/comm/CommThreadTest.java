package dev.lockstep.comm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CommThreadTest {
  @Test
  void runsCallsInSubmissionOrderOnOneThreadOfTheCreatorsGroupWhileTheCallerGoesOn() throws Exception {
    ThreadGroup group = new ThreadGroup("MPI-test-rank");
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> problems = Collections.synchronizedList(new ArrayList<>());
    Thread rank = new Thread(group, () -> {
      try (CommThread comm = new CommThread("comm-test")) {
        CountDownLatch release = new CountDownLatch(1);
        comm.submit(() -> {
          await(release);
          seen.add("0:" + Thread.currentThread().getThreadGroup().getName());
        });
        for (int i = 1; i < 50; i++) {
          int k = i;
          comm.submit(() -> seen.add(k + ":" + Thread.currentThread().getName()));
        }
        seen.add("caller not blocked"); // the first call is still waiting for the latch
        release.countDown();
        comm.awaitIdle();
        assertThat(comm.busySeconds()).isPositive();
      } catch (Throwable t) {
        problems.add(t);
      }
    });
    rank.start();
    rank.join(10_000);
    assertThat(problems).isEmpty();
    assertThat(seen).hasSize(51);
    assertThat(seen.get(0)).isEqualTo("caller not blocked");
    assertThat(seen.get(1)).isEqualTo("0:MPI-test-rank");
    for (int i = 1; i < 50; i++) {
      assertThat(seen.get(i + 1)).isEqualTo(i + ":comm-test");
    }
  }

  @Test
  void aFailingCallIsRethrownOnTheWaitingThreadAndLaterCallsNeverRun() {
    List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
    CommThread comm = new CommThread("comm-test");
    CountDownLatch release = new CountDownLatch(1);
    comm.submit(() -> ran.add(1));
    comm.submit(() -> {
      await(release);
      throw new CommException("rank 1: allreduce failed: boom", null);
    });
    comm.submit(() -> ran.add(3));
    release.countDown();
    assertThatThrownBy(comm::awaitIdle).isInstanceOf(CommException.class).hasMessage("rank 1: allreduce failed: boom");
    comm.close();
    assertThat(ran).containsExactly(1);
    assertThatThrownBy(() -> comm.submit(() -> ran.add(4))).hasMessageContaining("closed");
  }

  @Test
  void awaitIdleWithNothingSubmittedReturnsAtOnce() {
    try (CommThread comm = new CommThread("comm-test")) {
      comm.awaitIdle();
      comm.awaitIdle();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
