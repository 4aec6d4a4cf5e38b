package dev.lockstep.config;

import java.util.List;

/**
 * data.csv: a table with a header row (format csv). {@code target} names the column to predict; {@code features}
 * lists the input columns ([] = every column but the target). {@code target_type}: class (categories → class
 * ids, the mapping saved as classes.json in the run directory), value (a number to regress), or auto (class when
 * any target cell is not a number). Without {@code test_file}, a seeded {@code test_fraction} of the rows is held
 * out for testing. Paths are relative to the working directory; {@code .gz} files are read decompressed.
 */
public record CsvConfig(
    String trainFile,
    String testFile,
    String target,
    List<String> features,
    String targetType,
    Double testFraction,
    Long splitSeed) {
  public CsvConfig {
    trainFile = trainFile != null ? trainFile : "";
    testFile = testFile != null ? testFile : "";
    target = target != null ? target : "";
    features = features != null ? List.copyOf(features) : List.of();
    targetType = targetType != null ? targetType : "auto";
    testFraction = testFraction != null ? testFraction : 0.2;
    splitSeed = splitSeed != null ? splitSeed : 0L;
  }

  public static CsvConfig defaults() {
    return new CsvConfig(null, null, null, null, null, null, null);
  }
}
