package dev.lockstep.train;

import dev.lockstep.config.DataConfig;
import dev.lockstep.config.LockstepConfig;
import dev.lockstep.data.IdxReader;
import dev.lockstep.nn.FeatureShape;
import dev.lockstep.nn.Model;
import java.nio.file.Path;
import java.util.List;

/**
 * The shape of one sample as the model sees it: data.shape [C, H, W] when given; for idx data the file's item shape
 * ([rows, cols] images are [1, rows, cols]); otherwise a flat row of the data's width.
 */
public final class InputShape {
  private InputShape() {}

  /** For data already loaded, {@code width} features per sample. */
  public static FeatureShape of(DataConfig data, int width) {
    List<Integer> declared = data.shape();
    if (!declared.isEmpty()) {
      FeatureShape s = FeatureShape.image(declared.get(0), declared.get(1), declared.get(2));
      if (s.size() != width) {
        throw new IllegalArgumentException("data.shape: " + s + " holds " + s.size() + " features, but the data has "
            + width + " per sample");
      }
      return s;
    }
    if (data.format().equals("idx")) {
      int[] item = itemDims(Path.of(data.dir()).resolve(data.trainImages()));
      if (item.length == 2 && item[0] * item[1] == width) {
        return FeatureShape.image(1, item[0], item[1]);
      }
      if (item.length == 3 && item[0] * item[1] * item[2] == width) {
        return FeatureShape.image(item[0], item[1], item[2]);
      }
    }
    return FeatureShape.flat(width);
  }

  /**
   * Before any rank starts: builds the model's shapes from what the config alone tells (data.shape, the idx header,
   * synthetic features), so a layer whose input does not fit is a config error naming the layer and both shapes.
   * Data whose width only loading tells (csv without data.shape) is checked when the ranks load it.
   */
  public static void checkModel(LockstepConfig cfg) {
    DataConfig d = cfg.data();
    FeatureShape input;
    if (!d.shape().isEmpty()) {
      input = FeatureShape.image(d.shape().get(0), d.shape().get(1), d.shape().get(2));
    } else if (d.format().equals("idx")) {
      int[] item = itemDims(Path.of(d.dir()).resolve(d.trainImages()));
      input = item.length == 2 ? FeatureShape.image(1, item[0], item[1])
          : item.length == 3 ? FeatureShape.image(item[0], item[1], item[2]) : FeatureShape.flat(product(item));
    } else if (d.format().equals("synthetic")) {
      input = FeatureShape.flat(d.synthetic().features());
    } else {
      return;
    }
    Model.build(cfg.model(), input);
  }

  /** One item's dimensions from the IDX header: [rows, cols] for images. */
  private static int[] itemDims(Path images) {
    int[] dims = IdxReader.dims(images);
    return java.util.Arrays.copyOfRange(dims, 1, dims.length);
  }

  private static int product(int[] dims) {
    int n = 1;
    for (int v : dims) {
      n *= v;
    }
    return n;
  }
}
