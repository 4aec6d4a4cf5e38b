package dev.lockstep.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimelineTest {
  @Test
  void encodesSpansRelativeToItsStartInMicroseconds() {
    Timeline t = new Timeline();
    t.start();
    long now = System.nanoTime();
    t.span(Timeline.Kind.BACKWARD, now + 1_500, now + 4_000);
    t.span(Timeline.Kind.ALLREDUCE, now + 4_000, now + 3_000); // clock noise: never a negative duration
    double[] e = t.encode();
    assertThat(e).hasSize(6);
    assertThat(e[0]).isEqualTo(Timeline.Kind.BACKWARD.ordinal());
    assertThat(e[1]).isBetween(1.5, 1.5 + (System.nanoTime() - now) / 1e3);
    assertThat(e[2]).isEqualTo(2.5);
    assertThat(e[3]).isEqualTo(Timeline.Kind.ALLREDUCE.ordinal());
    assertThat(e[5]).isZero();
  }

  @Test
  void keepsTheFirstSpansAndSaysItDroppedTheRest() {
    Timeline t = new Timeline();
    t.start();
    for (int i = 0; i < Timeline.MAX_SPANS + 10; i++) {
      t.span(Timeline.Kind.FORWARD, i, i + 1);
    }
    assertThat(t.size()).isEqualTo(Timeline.MAX_SPANS);
    assertThat(t.truncated()).isTrue();
  }
}
