package dev.lockstep.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelTest {
  private static LayerSpec linear(int units) {
    return new LayerSpec("linear", units, null);
  }

  private static LayerSpec act(String type) {
    return new LayerSpec(type, null, null);
  }

  @Test
  void buildsWidthsCountsAndDefaultInits() {
    Model m = Model.build(new ModelConfig(List.of(linear(16), act("relu"), linear(8), act("tanh"), linear(6),
        act("gelu"), linear(3))), 5);
    assertThat(m.inputWidth()).isEqualTo(5);
    assertThat(m.outputWidth()).isEqualTo(3);
    assertThat(m.parameterCount()).isEqualTo(5 * 16 + 16 + 16 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3);
    assertThat(m.describe()).isEqualTo("linear(5→16) → relu → linear(16→8) → tanh → linear(8→6) → gelu → linear(6→3)");
    List<Init> inits = m.layers().stream().filter(l -> l instanceof Linear).map(l -> ((Linear) l).init()).toList();
    assertThat(inits).containsExactly(Init.HE, Init.XAVIER, Init.HE, Init.XAVIER);
  }

  @Test
  void explicitInitWins() {
    Model m = Model.build(new ModelConfig(List.of(new LayerSpec("linear", 4, "xavier"), act("relu"),
        new LayerSpec("Linear", 2, "HE"))), 3);
    assertThat(((Linear) m.layers().get(0)).init()).isEqualTo(Init.XAVIER);
    assertThat(((Linear) m.layers().get(2)).init()).isEqualTo(Init.HE);
  }

  @Test
  void badSpecsNameTheKey() {
    assertThatThrownBy(() -> Model.build(new ModelConfig(List.of(linear(4), act("swish"))), 3))
        .hasMessage("model.layers[1].type: unknown layer 'swish' (expected linear, relu, tanh, sigmoid, gelu, conv2d, max_pool2d, avg_pool2d, flatten, dropout, batch_norm)");
    assertThatThrownBy(() -> Model.build(new ModelConfig(List.of(new LayerSpec("linear", null, null))), 3))
        .hasMessageStartingWith("model.layers[0].units:");
    assertThatThrownBy(() -> Model.build(new ModelConfig(List.of(linear(4), new LayerSpec("relu", 4, null))), 3))
        .hasMessage("model.layers[1]: relu takes neither units nor init");
    assertThatThrownBy(() -> Model.build(new ModelConfig(List.of(new LayerSpec("linear", 4, "lecun"))), 3))
        .hasMessage("model.layers[0].init: unknown init 'lecun' (expected he, xavier)");
    assertThatThrownBy(() -> Model.build(new ModelConfig(List.of()), 3)).hasMessageStartingWith("model.layers:");
  }

  @Test
  void mismatchedHandBuiltLayersAreRejected() {
    assertThatThrownBy(() -> new Model(3, List.of(new Linear(3, 4, Init.HE), new Linear(5, 2, Init.HE))))
        .hasMessage("layer 1 (linear(5→2)) takes 5 features but receives 4");
  }
}
