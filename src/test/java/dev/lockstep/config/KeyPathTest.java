package dev.lockstep.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyPathTest {
  @Test
  void buildsAndWalksUpPaths() {
    String p = KeyPath.child(KeyPath.element(KeyPath.child(KeyPath.child("", "model"), "layers"), 12), "units");
    assertThat(p).isEqualTo("model.layers[12].units");
    assertThat(KeyPath.parent(p)).isEqualTo("model.layers[12]");
    assertThat(KeyPath.parent("model.layers[12]")).isEqualTo("model.layers");
    assertThat(KeyPath.parent("model")).isEmpty();
  }

  @Test
  void withinMeansSameKeyOrInsideIt() {
    assertThat(KeyPath.isWithin("optimizer.lr", "optimizer.lr")).isTrue();
    assertThat(KeyPath.isWithin("model.layers[1].units", "model.layers")).isTrue();
    assertThat(KeyPath.isWithin("optimizer.schedule.type", "optimizer")).isTrue();
    assertThat(KeyPath.isWithin("optimizer.lr_max", "optimizer.lr")).isFalse();
    assertThat(KeyPath.isWithin("run", "run.name")).isFalse();
  }
}
