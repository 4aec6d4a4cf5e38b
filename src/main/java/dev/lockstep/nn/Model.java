package dev.lockstep.nn;

import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import dev.lockstep.tensor.Activation;
import dev.lockstep.tensor.Window2d;
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

  /** {@link #build(ModelConfig, FeatureShape)} for flat input rows of {@code inputWidth} features. */
  public static Model build(ModelConfig cfg, int inputWidth) {
    if (inputWidth <= 0) {
      throw new IllegalArgumentException("model input width must be positive, got " + inputWidth);
    }
    return build(cfg, FeatureShape.flat(inputWidth));
  }

  /**
   * Builds the layers of {@code model.layers} for samples of shape {@code input}, tracking the shape from layer to
   * layer: linear layers need {@code units} (init he before relu/gelu, xavier otherwise) and flatten an image;
   * conv2d and pooling need an image [C, H, W]. Errors name the key and, for a shape that does not fit, both shapes,
   * e.g. "model.layers[2] (conv2d): needs an image [C, H, W] but receives [784] ...".
   */
  public static Model build(ModelConfig cfg, FeatureShape input) {
    List<LayerSpec> specs = cfg.layers();
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("model.layers: at least one layer is needed");
    }
    List<Layer> layers = new ArrayList<>();
    ConvWorkspace workspace = new ConvWorkspace();
    FeatureShape shape = input;
    for (int i = 0; i < specs.size(); i++) {
      LayerSpec spec = specs.get(i);
      String key = "model.layers[" + i + "]";
      String type = spec.type() == null ? "" : spec.type().trim().toLowerCase(Locale.ROOT);
      int width = shape.size();
      switch (type) {
        case "linear" -> {
          if (spec.units() == null || spec.units() <= 0) {
            throw new IllegalArgumentException(key + ".units: a linear layer needs units > 0, got " + spec.units());
          }
          Init init = spec.init() != null ? Init.parse(spec.init(), key + ".init") : defaultInit(specs, i);
          layers.add(new Linear(width, spec.units(), init));
          shape = FeatureShape.flat(spec.units());
        }
        case "conv2d" -> {
          Window2d w = window(spec, key, type, shape, spec.kernel(), 1);
          Conv2d conv = new Conv2d(w, spec.channels(), workspace);
          layers.add(conv);
          shape = FeatureShape.image(spec.channels(), w.outHeight(), w.outWidth());
        }
        case "max_pool2d", "avg_pool2d" -> {
          Window2d w = window(spec, key, type, shape, spec.kernel(), spec.kernel() == null ? 1 : spec.kernel());
          layers.add(new Pool2d(type.equals("avg_pool2d"), w));
          shape = FeatureShape.image(shape.channels(), w.outHeight(), w.outWidth());
        }
        case "flatten" -> {
          layers.add(new Flatten(width));
          shape = FeatureShape.flat(width);
        }
        case "dropout" -> layers.add(new Dropout(spec.rate() == null ? 0.5f : spec.rate().floatValue(), width, i));
        case "batch_norm" -> layers.add(shape.isImage()
            ? new BatchNorm(shape.channels(), shape.height() * shape.width(), Boolean.TRUE.equals(spec.sync()),
                momentum(spec))
            : new BatchNorm(width, 1, Boolean.TRUE.equals(spec.sync()), momentum(spec)));
        default -> {
          Activation f = activation(type, key);
          if (spec.units() != null || spec.init() != null) {
            throw new IllegalArgumentException(key + ": " + type + " takes neither units nor init");
          }
          layers.add(new ActivationLayer(f, width));
        }
      }
    }
    return new Model(input.size(), layers);
  }

  private static double momentum(LayerSpec spec) {
    return spec.momentum() == null ? 0.1 : spec.momentum();
  }

  /** The window of a conv2d/pooling layer on {@code shape}, or a config error naming the layer and both shapes. */
  private static Window2d window(LayerSpec spec, String key, String type, FeatureShape shape, Integer kernel,
                                 int defaultStride) {
    if (kernel == null || kernel <= 0) {
      throw new IllegalArgumentException(key + ".kernel: " + type + " needs kernel >= 1, got " + kernel);
    }
    if (type.equals("conv2d") && (spec.channels() == null || spec.channels() <= 0)) {
      throw new IllegalArgumentException(key + ".channels: conv2d needs channels >= 1, got " + spec.channels());
    }
    int stride = spec.stride() == null ? defaultStride : spec.stride();
    int padding = spec.padding() == null ? 0 : spec.padding();
    if (!shape.isImage()) {
      throw new LayerShapeException(key, type + " needs an image input [C, H, W] but receives " + shape
          + " (set data.shape: [C, H, W] for csv/synthetic data, and put image layers before linear ones)");
    }
    Window2d w = new Window2d(shape.channels(), shape.height(), shape.width(), kernel, stride, padding);
    if (!w.fits()) {
      throw new LayerShapeException(key, "the " + kernel + "x" + kernel + " window of " + type + " with padding "
          + padding + " needs an input of at least [" + shape.channels() + ", " + (kernel - 2 * padding) + ", "
          + (kernel - 2 * padding) + "] but receives " + shape);
    }
    return w;
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
          + "' (expected linear, relu, tanh, sigmoid, gelu, conv2d, max_pool2d, avg_pool2d, flatten, dropout, batch_norm)");
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

  /** Whether some layer sums statistics across ranks inside backward (sync batch norm). */
  public boolean reducesInBackward() {
    for (Layer layer : layers) {
      if (layer instanceof BatchNorm bn && bn.sync()) {
        return true;
      }
    }
    return false;
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
