package dev.lockstep.config;

import static dev.lockstep.config.YamlFile.error;
import static dev.lockstep.config.YamlFile.withModel;
import static dev.lockstep.config.YamlFile.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --set key.path=value}: applied to the YAML before binding, so typed and validated like the file. */
class ConfigOverrideTest {
  @TempDir
  Path dir;

  private LockstepConfig load(Path file, String... sets) {
    return ConfigLoader.load(file, List.of(sets));
  }

  @Test
  void valuesAreReadAsYamlScalars() {
    LockstepConfig c = load(withModel(dir, "optimizer: {lr: 0.5}", "data: {shuffle: true}"),
        "optimizer.lr=0.1", "data.shuffle=false", "run.name=smoke", "run.max_steps=20", "optimizer.eps=1e-6");
    assertThat(c.optimizer().lr()).isEqualTo(0.1);
    assertThat(c.data().shuffle()).isFalse();
    assertThat(c.run().name()).isEqualTo("smoke");
    assertThat(c.run().maxSteps()).isEqualTo(20L);
    assertThat(c.optimizer().eps()).isEqualTo(1e-6);
  }

  @Test
  void createsKeysAndSectionsTheFileLeavesOut() {
    LockstepConfig c = load(withModel(dir), "optimizer.schedule.type=cosine", "optimizer.schedule.min_lr=0.001");
    assertThat(c.optimizer().schedule().type()).isEqualTo("cosine");
    assertThat(c.optimizer().schedule().minLr()).isEqualTo(0.001);
    assertThat(c.optimizer().lr()).isEqualTo(0.05);
  }

  @Test
  void fillsAnEmptySection() {
    assertThat(load(withModel(dir, "optimizer:"), "optimizer.lr=0.2").optimizer().lr()).isEqualTo(0.2);
  }

  @Test
  void listElementsAreSelectedByNumber() {
    Path f = write(dir,
        "model:",
        "  layers:",
        "    - {type: linear, units: 1024}",
        "    - {type: relu}",
        "    - {type: linear, units: 10}");
    LockstepConfig c = load(f, "model.layers.0.units=512", "model.layers.1.type=tanh");
    assertThat(c.model().layers()).containsExactly(
        new LayerSpec("linear", 512, "xavier"), new LayerSpec("tanh", null, null), new LayerSpec("linear", 10, "xavier"));
  }

  @Test
  void aWholeListCanBeGivenInFlowStyle() {
    LockstepConfig c = load(withModel(dir), "model.layers=[{type: linear, units: 7}, {type: relu}]");
    assertThat(c.model().layers()).containsExactly(new LayerSpec("linear", 7, "he"), new LayerSpec("relu", null, null));
  }

  @Test
  void theLastOverrideOfAKeyWins() {
    assertThat(load(withModel(dir), "optimizer.lr=0.1", "optimizer.lr=0.3").optimizer().lr()).isEqualTo(0.3);
  }

  @Test
  void anUnknownPathIsNamed() {
    assertThat(error(withModel(dir), "optimizer.lrr=0.1"))
        .isEqualTo("--set optimizer.lrr=0.1: unknown key optimizer.lrr (known: type, lr, momentum, nesterov, "
            + "weight_decay, beta1, beta2, eps, schedule)");
    assertThat(error(withModel(dir), "optimiser.lr=0.1"))
        .startsWith("--set optimiser.lr=0.1: unknown key optimiser (known: run, model, data, ");
    assertThat(error(withModel(dir), "model.layers.0.unitz=3"))
        .isEqualTo("--set model.layers.0.unitz=3: unknown key model.layers[0].unitz (known: type, units, init, heads, positional, channels, kernel, stride, padding, rate, sync, momentum)");
  }

  @Test
  void aPathThroughAValueOrABadIndexIsNamed() {
    assertThat(error(withModel(dir), "optimizer.lr.max=1"))
        .isEqualTo("--set optimizer.lr.max=1: optimizer.lr is a single value; it has no key max");
    assertThat(error(withModel(dir), "model.layers.3.units=5"))
        .isEqualTo("--set model.layers.3.units=5: model.layers has no element 3 (it has 1)");
    assertThat(error(withModel(dir), "model.layers.first.units=5"))
        .isEqualTo("--set model.layers.first.units=5: model.layers is a list; expected an element number after "
            + "it, got \"first\"");
  }

  @Test
  void malformedOverrides() {
    assertThat(error(withModel(dir), "optimizer.lr"))
        .isEqualTo("--set optimizer.lr: expected key.path=value, e.g. --set optimizer.lr=0.1");
    assertThat(error(withModel(dir), "=3")).isEqualTo("--set =3: expected key.path=value, e.g. --set optimizer.lr=0.1");
    assertThat(error(withModel(dir), "optimizer..lr=3")).isEqualTo("--set optimizer..lr=3: empty key in \"optimizer..lr\"");
  }

  @Test
  void valueErrorsNameTheOverrideInsteadOfALine() {
    Path f = withModel(dir, "optimizer:", "  lr: 0.1");
    assertThat(error(f, "optimizer.lr=-1")).isEqualTo("--set optimizer.lr=-1: optimizer.lr: must be > 0 (got -1)");
    assertThat(error(f, "optimizer.lr=fast"))
        .isEqualTo("--set optimizer.lr=fast: optimizer.lr: expected a number, got \"fast\"");
    assertThat(error(f, "run.epochs=2.5")).isEqualTo("--set run.epochs=2.5: run.epochs: expected an integer, got 2.5");
    assertThat(error(f, "data.shuffle=0")).isEqualTo("--set data.shuffle=0: data.shuffle: expected true or false, got 0");
    assertThat(error(f, "optimizer.lr=")).isEqualTo("--set optimizer.lr=: optimizer.lr: expected a number, got \"\"");
    assertThat(error(f, "optimizer.lr=~"))
        .isEqualTo("--set optimizer.lr=~: optimizer.lr: no value given (leave the key out to use its default)");
    assertThat(error(f, "update.mode=lazy"))
        .isEqualTo("--set update.mode=lazy: update.mode: must be one of sync, async, auto (got \"lazy\")");
    assertThat(error(f, "model.layers=[{type: linear, units: 5}, {type: relu, units: 2}]"))
        .isEqualTo("--set model.layers=[{type: linear, units: 5}, {type: relu, units: 2}]: "
            + "model.layers[1].units: relu is an activation and takes no units");
  }

  @Test
  void problemsTheOverrideDidNotCauseKeepTheirFileLine() {
    assertThat(error(withModel(dir, "optimizer:", "  momentum: 2"), "optimizer.lr=0.1"))
        .isEqualTo(dir.resolve("cfg.yaml") + ":5: optimizer.momentum: must be in [0, 1) (got 2)");
  }

  @Test
  void anOverrideFixesABadFileValue() {
    assertThat(load(withModel(dir, "optimizer:", "  lr: -1"), "optimizer.lr=0.2").optimizer().lr()).isEqualTo(0.2);
  }
}
