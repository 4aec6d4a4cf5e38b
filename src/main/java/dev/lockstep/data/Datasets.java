package dev.lockstep.data;

import dev.lockstep.config.DataConfig;
import java.nio.file.Path;

/**
 * Loads the train and test splits a {@link DataConfig} names: format csv ({@link CsvDatasets}), synthetic
 * ({@link SyntheticTask}) or idx: four IDX files in {@code dir}
 * (images [n, ...] and labels [n]); normalisation is applied once here; limit_train/limit_test keep the
 * first N samples (0 = all; a limit above the file's count keeps all). The number of classes is 1 + the
 * largest label in the whole training labels file (before any limit), so it does not change with the
 * limit; a test label at or beyond it is an error.
 */
public final class Datasets {
  private Datasets() {}

  public static TrainTest load(DataConfig cfg) {
    return switch (cfg.format()) {
      case "idx" -> loadIdx(cfg);
      case "csv" -> CsvDatasets.load(cfg);
      case "synthetic" -> SyntheticTask.generate(cfg.synthetic());
      default -> throw new DataException("data.format: unsupported '" + cfg.format()
          + "' (supported: idx, csv, synthetic)");
    };
  }

  private static TrainTest loadIdx(DataConfig cfg) {
    int limitTrain = checkLimit("data.limit_train", cfg.limitTrain());
    int limitTest = checkLimit("data.limit_test", cfg.limitTest());
    Normalization norm = Normalization.of(cfg);
    Path dir = Path.of(cfg.dir());

    Split train = Split.read("train", dir.resolve(cfg.trainImages()), dir.resolve(cfg.trainLabels()));
    Split test = Split.read("test", dir.resolve(cfg.testImages()), dir.resolve(cfg.testLabels()));
    if (test.width != train.width) {
      throw new DataException("test: images in " + test.imagesFile + " have " + test.width
          + " values each but train images in " + train.imagesFile + " have " + train.width);
    }
    int numClasses = 1 + max(train.labels);
    for (int i = 0; i < test.labels.length; i++) {
      if (test.labels[i] >= numClasses) {
        throw new DataException("file " + test.labelsFile + ": label " + test.labels[i] + " at index " + i
            + " is out of range: the training labels have " + numClasses + " classes [0, " + numClasses + ")");
      }
    }
    return new TrainTest(train.toDataset(limitTrain, norm, numClasses), test.toDataset(limitTest, norm, numClasses));
  }

  /** One split read from an images file and a labels file, known to agree in count. */
  private record Split(String name, String imagesFile, String labelsFile, IdxArray images, int width, int[] labels) {
    static Split read(String name, Path imagesPath, Path labelsPath) {
      IdxArray images = IdxReader.read(imagesPath);
      IdxArray labelArray = IdxReader.read(labelsPath);
      if (labelArray.dims().length != 1) {
        throw new DataException("file " + labelsPath + ": labels must be 1-dimensional, found dimensions "
            + java.util.Arrays.toString(labelArray.dims()));
      }
      if (images.count() != labelArray.count()) {
        throw new DataException(name + ": " + images.count() + " images but " + labelArray.count()
            + " labels in " + imagesPath + " and " + labelsPath);
      }
      if (images.count() == 0) {
        throw new DataException(name + ": no samples in " + imagesPath);
      }
      return new Split(name, imagesPath.toString(), labelsPath.toString(), images, images.itemWidth(),
          classIds(labelArray));
    }

    Dataset toDataset(int limit, Normalization norm, int numClasses) {
      int n = limit == 0 ? labels.length : Math.min(limit, labels.length);
      float[] features = features(images, n * width, norm); // [n, width]
      int[] kept = n == labels.length ? labels : java.util.Arrays.copyOf(labels, n);
      return new Dataset(name, features, kept, width, numClasses);
    }
  }

  /** The first {@code count} values of {@code images}, normalised. */
  private static float[] features(IdxArray images, int count, Normalization norm) {
    float[] out = new float[count];
    if (images.type() == IdxArray.TYPE_UBYTE) {
      // 256 possible inputs: normalise each once, then the conversion is a table lookup.
      float[] table = new float[256];
      for (int v = 0; v < 256; v++) {
        table[v] = norm.apply(v);
      }
      byte[] raw = images.ubytes();
      for (int i = 0; i < count; i++) {
        out[i] = table[raw[i] & 0xFF];
      }
    } else {
      float[] raw = images.floats();
      for (int i = 0; i < count; i++) {
        out[i] = norm.apply(raw[i]);
      }
    }
    return out;
  }

  /** Labels as class ids; float labels must be non-negative whole numbers. */
  private static int[] classIds(IdxArray labels) {
    int n = labels.count();
    int[] ids = new int[n];
    if (labels.type() == IdxArray.TYPE_UBYTE) {
      byte[] raw = labels.ubytes();
      for (int i = 0; i < n; i++) {
        ids[i] = raw[i] & 0xFF;
      }
      return ids;
    }
    float[] raw = labels.floats();
    for (int i = 0; i < n; i++) {
      float v = raw[i];
      if (!(v >= 0 && v < 1 << 24 && v == Math.rint(v))) {
        throw new DataException("file " + labels.source() + ": label " + v + " at index " + i
            + " is out of range: a class id must be a non-negative whole number");
      }
      ids[i] = (int) v;
    }
    return ids;
  }

  private static int max(int[] values) {
    int m = Integer.MIN_VALUE;
    for (int v : values) {
      m = Math.max(m, v);
    }
    return m;
  }

  private static int checkLimit(String key, int limit) {
    if (limit < 0) {
      throw new DataException(key + ": must be >= 0 (0 = all samples), got " + limit);
    }
    return limit;
  }
}
