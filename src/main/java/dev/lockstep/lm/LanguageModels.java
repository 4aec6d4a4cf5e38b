package dev.lockstep.lm;

import dev.lockstep.config.LayerInitDefaults;
import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import dev.lockstep.nn.ActivationLayer;
import dev.lockstep.nn.Init;
import dev.lockstep.nn.Layer;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.Model;
import dev.lockstep.tensor.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds a language model from {@code model.layers} for input rows of {@code context} token ids and a
 * vocabulary of {@code vocab} characters. The builder tracks the row as positions × channels: an embedding
 * makes it T × C; layer_norm, transformer_block and lm_head act per position; a linear layer acts on the whole
 * row (so after it the row is 1 position of {@code units} channels: the MLP language model's shape). The
 * output is positions × vocab logits.
 */
public final class LanguageModels {
  private LanguageModels() {}

  public static Model build(ModelConfig cfg, int context, int vocab) {
    List<LayerSpec> specs = cfg.layers();
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("model.layers: at least one layer is needed");
    }
    List<Layer> layers = new ArrayList<>();
    int positions = 1, width = context;
    for (int i = 0; i < specs.size(); i++) {
      LayerSpec s = specs.get(i);
      String key = "model.layers[" + i + "]";
      String type = s.type() == null ? "" : s.type().trim().toLowerCase(Locale.ROOT);
      int channels = width / positions;
      switch (type) {
        case "embedding" -> {
          if (i != 0) {
            throw new IllegalArgumentException(key + ".type: an embedding must be the first layer (it reads token ids)");
          }
          layers.add(new Embedding(context, vocab, units(s, key), Boolean.TRUE.equals(s.positional())));
          positions = context;
          width = context * s.units();
        }
        case "layer_norm" -> layers.add(new LayerNorm(positions, channels));
        case "transformer_block" -> {
          int heads = s.heads() == null ? 1 : s.heads();
          if (heads <= 0 || channels % heads != 0) {
            throw new IllegalArgumentException(key + ".heads: " + heads + " heads do not divide the " + channels
                + " channels per position");
          }
          layers.add(new TransformerBlock(positions, channels, heads));
        }
        case "lm_head" -> {
          layers.add(new PerPosition(new Linear(channels, vocab, Init.XAVIER), positions));
          width = positions * vocab;
        }
        case "linear" -> {
          Init init = Init.parse(LayerInitDefaults.initOf(specs, i), key + ".init");
          layers.add(new Linear(width, units(s, key), init));
          positions = 1;
          width = s.units();
        }
        case "relu", "tanh", "sigmoid", "gelu" ->
            layers.add(new ActivationLayer(Activation.valueOf(type.toUpperCase(Locale.ROOT)), width));
        default -> throw new IllegalArgumentException(key + ".type: unknown layer '" + s.type() + "' (expected "
            + "embedding, layer_norm, transformer_block, lm_head, linear, relu, tanh, sigmoid, gelu)");
      }
    }
    if (width != positions * vocab) {
      throw new IllegalArgumentException("model.layers: a language model must end in vocabulary logits per "
          + "position ({type: lm_head}, or a linear layer with units = vocabulary size " + vocab + "); the last "
          + "layer gives " + width);
    }
    return new Model(context, layers);
  }

  private static int units(LayerSpec s, String key) {
    if (s.units() == null || s.units() <= 0) {
      throw new IllegalArgumentException(key + ".units: " + s.type() + " needs units > 0, got " + s.units());
    }
    return s.units();
  }
}
