package dev.lockstep.config;

/**
 * data: where samples come from and how each rank batches them. {@code batch_size} is per rank; the global
 * batch is batch_size × ranks. format idx reads the four MNIST-style files in {@code dir}.
 * normalize: none | unit (x/255) | standard (then (x/255 - mean)/std). Formats csv and synthetic read
 * {@code csv} / {@code synthetic}; there normalize standard means per-column z-scores with training-split
 * statistics (mean and std are for idx pixels only).
 * format text reads UTF-8 {@code path} (a file, or every regular file of a directory): {@code context} characters
 * per window, the last {@code val_fraction} of the text held out for validation.
 * source: local (every rank reads the files itself, so on a cluster they must exist at the same path on every
 * host) | broadcast (only rank 0 reads them and sends the loaded splits to the other ranks; not for text yet).
 * shape: [C, H, W] of each sample's features, for image layers (conv2d, pooling): idx images are [1, rows, cols]
 * from the file without it; csv and synthetic rows are flat unless it is given (C·H·W must equal their width).
 */
public record DataConfig(
    String format,
    String dir,
    String trainImages,
    String trainLabels,
    String testImages,
    String testLabels,
    Integer batchSize,
    Boolean shuffle,
    String normalize,
    Double mean,
    Double std,
    Integer limitTrain,
    Integer limitTest,
    CsvConfig csv,
    SyntheticConfig synthetic,
    String path,
    Integer context,
    Double valFraction,
    String source,
    java.util.List<Integer> shape) {
  /** Every field but shape (flat, or the idx file's image shape). */
  public DataConfig(String format, String dir, String trainImages, String trainLabels, String testImages,
      String testLabels, Integer batchSize, Boolean shuffle, String normalize, Double mean, Double std,
      Integer limitTrain, Integer limitTest, CsvConfig csv, SyntheticConfig synthetic, String path, Integer context,
      Double valFraction, String source) {
    this(format, dir, trainImages, trainLabels, testImages, testLabels, batchSize, shuffle, normalize, mean, std,
        limitTrain, limitTest, csv, synthetic, path, context, valFraction, source, null);
  }

  /** The image-dataset fields only (csv, synthetic and text keys at their defaults). */
  public DataConfig(String format, String dir, String trainImages, String trainLabels, String testImages,
      String testLabels, Integer batchSize, Boolean shuffle, String normalize, Double mean, Double std,
      Integer limitTrain, Integer limitTest) {
    this(format, dir, trainImages, trainLabels, testImages, testLabels, batchSize, shuffle, normalize, mean, std,
        limitTrain, limitTest, null, null, null, null, null, null);
  }

  /** The image fields plus csv and synthetic (text keys at their defaults). */
  public DataConfig(String format, String dir, String trainImages, String trainLabels, String testImages,
      String testLabels, Integer batchSize, Boolean shuffle, String normalize, Double mean, Double std,
      Integer limitTrain, Integer limitTest, CsvConfig csv, SyntheticConfig synthetic) {
    this(format, dir, trainImages, trainLabels, testImages, testLabels, batchSize, shuffle, normalize, mean, std,
        limitTrain, limitTest, csv, synthetic, null, null, null, null);
  }

  /** The image fields plus the text keys (csv and synthetic at their defaults). */
  public DataConfig(String format, String dir, String trainImages, String trainLabels, String testImages,
      String testLabels, Integer batchSize, Boolean shuffle, String normalize, Double mean, Double std,
      Integer limitTrain, Integer limitTest, String path, Integer context, Double valFraction) {
    this(format, dir, trainImages, trainLabels, testImages, testLabels, batchSize, shuffle, normalize, mean, std,
        limitTrain, limitTest, null, null, path, context, valFraction, null);
  }

  public DataConfig {
    format = format != null ? format : "idx";
    dir = dir != null ? dir : "/usr/share/datasets/fashion-mnist";
    trainImages = trainImages != null ? trainImages : "train-images-idx3-ubyte.gz";
    trainLabels = trainLabels != null ? trainLabels : "train-labels-idx1-ubyte.gz";
    testImages = testImages != null ? testImages : "t10k-images-idx3-ubyte.gz";
    testLabels = testLabels != null ? testLabels : "t10k-labels-idx1-ubyte.gz";
    batchSize = batchSize != null ? batchSize : 128;
    shuffle = shuffle != null ? shuffle : true;
    normalize = normalize != null ? normalize : "standard";
    mean = mean != null ? mean : 0.2860;
    std = std != null ? std : 0.3530;
    limitTrain = limitTrain != null ? limitTrain : 0;
    limitTest = limitTest != null ? limitTest : 0;
    csv = csv != null ? csv : CsvConfig.defaults();
    synthetic = synthetic != null ? synthetic : SyntheticConfig.defaults();
    path = path != null ? path : "/usr/share/games/fortunes";
    context = context != null ? context : 64;
    valFraction = valFraction != null ? valFraction : 0.1;
    source = source != null ? source : "local";
    shape = shape != null ? java.util.List.copyOf(shape) : java.util.List.of();
  }
}
