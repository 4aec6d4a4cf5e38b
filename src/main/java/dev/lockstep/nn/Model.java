package dev.lockstep.nn;

import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import dev.lockstep.tensor.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A sequential stack of layers; each layer's input width is the previous layer's output width. */
public final class Model {
  private final int inputWidth;
  private final List<Layer> layers;

  public Model(int inputWidth, List<Layer> layers) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("model has no layers");
    }
    int width = inputWidth;
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      if (layer.inFeatures() != width) {
        throw new IllegalArgumentException("layer " + i + " (" + layer.describe() + ") takes " + layer.inFeatures()
            + " features but receives " + width);
      }
      width = layer.outFeatures();
    }
    this.inputWidth = inputWidth;
    this.layers = List.copyOf(layers);
  }

  /**
   * Builds the layers of {@code model.layers}. Linear layers need {@code units}; their init defaults to he when
   * the next layer is relu/gelu and xavier otherwise. Errors name the key, e.g. "model.layers[2].units: ...".
   */
  public static Model build(ModelConfig cfg, int inputWidth) {
    List<LayerSpec> specs = cfg.layers();
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("model.layers: at least one layer is needed");
    }
    if (inputWidth <= 0) {
      throw new IllegalArgumentException("model input width must be positive, got " + inputWidth);
    }
    List<Layer> layers = new ArrayList<>();
    int width = inputWidth;
    for (int i = 0; i < specs.size(); i++) {
      LayerSpec spec = specs.get(i);
      String key = "model.layers[" + i + "]";
      String type = spec.type() == null ? "" : spec.type().trim().toLowerCase(Locale.ROOT);
      if (type.equals("linear")) {
        if (spec.units() == null || spec.units() <= 0) {
          throw new IllegalArgumentException(key + ".units: a linear layer needs units > 0, got " + spec.units());
        }
        Init init = spec.init() != null ? Init.parse(spec.init(), key + ".init") : defaultInit(specs, i);
        layers.add(new Linear(width, spec.units(), init));
        width = spec.units();
      } else {
        Activation f = activation(type, key);
        if (spec.units() != null || spec.init() != null) {
          throw new IllegalArgumentException(key + ": " + type + " takes neither units nor init");
        }
        layers.add(new ActivationLayer(f, width));
      }
    }
    return new Model(inputWidth, layers);
  }

  private static Init defaultInit(List<LayerSpec> specs, int linearIndex) {
    if (linearIndex + 1 < specs.size()) {
      String next = specs.get(linearIndex + 1).type();
      if (next != null && (next.equalsIgnoreCase("relu") || next.equalsIgnoreCase("gelu"))) {
        return Init.HE;
      }
    }
    return Init.XAVIER;
  }

  private static Activation activation(String type, String key) {
    return switch (type) {
      case "relu" -> Activation.RELU;
      case "tanh" -> Activation.TANH;
      case "sigmoid" -> Activation.SIGMOID;
      case "gelu" -> Activation.GELU;
      default -> throw new IllegalArgumentException(key + ".type: unknown layer '" + type
          + "' (expected linear, relu, tanh, sigmoid, gelu)");
    };
  }

  public List<Layer> layers() {
    return layers;
  }

  public int inputWidth() {
    return inputWidth;
  }

  public int outputWidth() {
    return layers.get(layers.size() - 1).outFeatures();
  }

  public long parameterCount() {
    long n = 0;
    for (Layer layer : layers) {
      n += layer.parameterCount();
    }
    return n;
  }

  /** One line per layer, e.g. "linear(784→128) → relu → linear(128→10)". */
  public String describe() {
    StringBuilder s = new StringBuilder();
    for (Layer layer : layers) {
      if (s.length() > 0) {
        s.append(" → ");
      }
      s.append(layer.describe());
    }
    return s.toString();
  }
}
