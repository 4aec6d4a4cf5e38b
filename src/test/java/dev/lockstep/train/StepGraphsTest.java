package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.tensor.Backend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When a step shape runs eagerly, is recorded, replayed, re-recorded or dropped. The recorder here keeps the
 * work and runs it on launch (what a graph does with its recorded operations), and logs every event.
 */
class StepGraphsTest {
  private final List<String> events = new ArrayList<>();
  private final List<String> said = new ArrayList<>();

  private Backend.Replay record(String key, Runnable work) {
    events.add("record " + key);
    return new Backend.Replay() {
      @Override
      public void launch() {
        events.add("replay " + key);
        work.run();
      }

      @Override
      public void close() {
        events.add("close " + key);
      }
    };
  }

  private Runnable work(String key) {
    return () -> events.add("eager " + key);
  }

  @Test
  void aShapeWarmsUpIsRecordedOnceAndReplayed() {
    StepGraphs<String> g = new StepGraphs<>(w -> record("full", w), 2, 4, said::add);
    for (int i = 0; i < 5; i++) {
      g.run("full", work("full"));
    }
    assertThat(events).containsExactly("eager full", "eager full", "record full", "replay full", "eager full",
        "replay full", "eager full", "replay full", "eager full");
    assertThat(g.recordings()).isEqualTo(1);
    assertThat(g.replays()).isEqualTo(3);
    assertThat(said).isEmpty();
  }

  @Test
  void aNewShapeGetsItsOwnGraphAndTheOldOneIsKept() {
    List<String> keys = new ArrayList<>();
    StepGraphs<Integer> g = new StepGraphs<>(w -> record("r" + keys.get(keys.size() - 1), w), 1, 4, said::add);
    int[] rows = {128, 128, 128, 40, 40, 128, 40};
    for (int r : rows) {
      keys.add(String.valueOf(r));
      g.run(r, work("r" + r));
    }
    assertThat(events).containsExactly("eager r128", "record r128", "replay r128", "eager r128", "replay r128",
        "eager r128", "eager r40", "record r40", "replay r40", "eager r40", "replay r128", "eager r128",
        "replay r40", "eager r40");
    assertThat(g.recordings()).isEqualTo(2);
    g.close();
    assertThat(events).contains("close r128", "close r40");
  }

  @Test
  void beyondMaxGraphsTheLeastRecentlyUsedIsClosedAndRecordedAgainWhenItReturns() {
    List<Integer> current = new ArrayList<>();
    StepGraphs<Integer> g = new StepGraphs<>(w -> record("k" + current.get(0), w), 1, 2, said::add);
    for (int k : new int[] {1, 1, 2, 2, 1, 3, 3, 2, 2}) {
      current.clear();
      current.add(k);
      g.run(k, work("k" + k));
    }
    // 1 and 2 recorded; 1 used after 2, so recording 3 drops 2; 2 comes back: no warm-up again, recorded again
    assertThat(events).containsSubsequence("record k1", "record k2", "replay k1", "record k3", "close k2",
        "record k2", "close k1");
    assertThat(g.recordings()).isEqualTo(4);
  }

  @Test
  void aFailedRecordingIsSaidOnceAndEveryLaterStepRunsEagerly() {
    StepGraphs<String> g = new StepGraphs<>(w -> {
      throw new IllegalStateException("cudaStreamSynchronize inside capture");
    }, 1, 4, said::add);
    for (int i = 0; i < 4; i++) {
      g.run("full", work("full"));
    }
    assertThat(events).containsExactly("eager full", "eager full", "eager full", "eager full");
    assertThat(said).hasSize(1).first().asString().contains("cudaStreamSynchronize inside capture")
        .contains("eagerly");
    assertThat(g.eagerOnly()).isTrue();
  }

  @Test
  void aBackendWithoutGraphsRunsEverythingEagerlyWithoutAWord() {
    StepGraphs<String> g = new StepGraphs<>(w -> null, 1, 4, said::add);
    for (int i = 0; i < 3; i++) {
      g.run("full", work("full"));
    }
    assertThat(events).containsExactly("eager full", "eager full", "eager full");
    assertThat(said).isEmpty();
    assertThat(StepGraphs.<String>eager().eagerOnly()).isTrue();
  }

  @Test
  void badSettingsAreRejected() {
    assertThatThrownBy(() -> new StepGraphs<String>(w -> null, 0, 1, said::add))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
