package dev.lockstep.data;

import dev.lockstep.config.CsvConfig;
import dev.lockstep.config.DataConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Train and test splits from CSV (format csv, settings in {@link CsvConfig}): features by name (or every column
 * but the target), the target as class ids or as a value, features standardised with training statistics, the
 * test split from its own file or held out from the training file by a seeded fraction.
 *
 * <p>Class ids: the distinct target cells, sorted (numerically when every one is a number, else as text), get
 * ids 0, 1, … in that order; the names are kept on the datasets ({@link Dataset#classNames()}). When the test
 * split comes from the same file, both splits share the mapping by construction; a separate test file may only
 * use classes the training file has.
 */
final class CsvDatasets {
  private CsvDatasets() {}

  static TrainTest load(DataConfig cfg) {
    CsvConfig c = cfg.csv();
    if (c.trainFile().isBlank()) {
      throw new DataException("data.csv.train_file: must name the CSV file to train on");
    }
    CsvTable trainTable = CsvTable.read(Path.of(c.trainFile()));
    if (c.target().isBlank()) {
      throw new DataException("data.csv.target: must name the column to predict (columns of " + trainTable.file
          + ": " + String.join(", ", trainTable.header) + ")");
    }
    List<String> featureNames = featureNames(trainTable, c);
    Part train;
    Part test;
    if (!c.testFile().isBlank()) {
      train = Part.all(trainTable);
      test = Part.all(CsvTable.read(Path.of(c.testFile())));
    } else {
      int[][] split = split(trainTable, c.testFraction(), c.splitSeed());
      train = new Part(trainTable, split[0]);
      test = new Part(trainTable, split[1]);
    }
    boolean classes = switch (c.targetType()) {
      case "class" -> true;
      case "value" -> false;
      default -> !train.numericColumn(c.target()) || !test.numericColumn(c.target());
    };

    double[] trainX = train.features(featureNames); // [train rows, width]
    double[] testX = test.features(featureNames);
    int width = featureNames.size();
    ColumnStandardizer norm = switch (cfg.normalize()) {
      case "standard" -> ColumnStandardizer.fit(trainX, train.size(), width);
      case "none" -> ColumnStandardizer.identity(width);
      default -> throw new DataException("data.normalize: " + cfg.normalize() + " is for idx pixels; use standard "
          + "(per-column z-scores from the training split) or none with format csv");
    };
    float[] trainFeatures = norm.apply(trainX);
    float[] testFeatures = norm.apply(testX);
    if (!classes) {
      return new TrainTest(
          Dataset.ofValues("train", trainFeatures, train.values(c.target()), width, 1),
          Dataset.ofValues("test", testFeatures, test.values(c.target()), width, 1));
    }
    List<String> names = classNames(train, test.table == train.table ? test : null, c.target());
    if (names.size() < 2) {
      throw new DataException("file " + trainTable.file + ": target column '" + c.target() + "' has a single class '"
          + names.get(0) + "'; classification needs at least 2");
    }
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (String n : names) {
      ids.put(n, ids.size());
    }
    return new TrainTest(
        new Dataset("train", trainFeatures, train.classIds(c.target(), ids), width, names.size()).withClassNames(names),
        new Dataset("test", testFeatures, test.classIds(c.target(), ids), width, names.size()).withClassNames(names));
  }

  private static List<String> featureNames(CsvTable t, CsvConfig c) {
    int target = t.column(c.target(), "data.csv.target");
    if (c.features().isEmpty()) {
      List<String> all = new ArrayList<>(t.header);
      all.remove(target);
      if (all.isEmpty()) {
        throw new DataException("file " + t.file + ": no feature columns besides the target '" + c.target() + "'");
      }
      return all;
    }
    for (int i = 0; i < c.features().size(); i++) {
      String name = c.features().get(i);
      t.column(name, "data.csv.features[" + i + "]");
      if (name.equals(c.target())) {
        throw new DataException("data.csv.features[" + i + "]: '" + name + "' is the target column");
      }
    }
    return c.features();
  }

  /** {train rows, test rows}, each in file order; the test rows are a seeded random round(n·fraction). */
  private static int[][] split(CsvTable t, double fraction, long seed) {
    int n = t.rows.size();
    int testCount = (int) Math.round(n * fraction);
    if (fraction > 0 && testCount == 0) {
      testCount = 1;
    }
    if (testCount >= n) {
      throw new DataException("data.csv.test_fraction: " + fraction + " holds out all " + n + " rows of "
          + t.file + ", leaving none to train on");
    }
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
    int[] test = Arrays.copyOfRange(perm, 0, testCount);
    int[] train = Arrays.copyOfRange(perm, testCount, n);
    Arrays.sort(test);
    Arrays.sort(train);
    return new int[][] {train, test};
  }

  /** Distinct target cells of the training rows (and {@code alsoFrom}'s), in class-id order. */
  private static List<String> classNames(Part train, Part alsoFrom, String target) {
    TreeSet<String> distinct = new TreeSet<>(train.cells(target));
    if (alsoFrom != null) {
      distinct.addAll(alsoFrom.cells(target));
    }
    List<String> names = new ArrayList<>(distinct);
    boolean numeric = names.stream().allMatch(CsvDatasets::isNumber);
    if (numeric) {
      names.sort(Comparator.comparingDouble(Double::parseDouble));
    }
    return names;
  }

  private static boolean isNumber(String s) {
    try {
      return Double.isFinite(Double.parseDouble(s));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Some rows of one table. */
  private record Part(CsvTable table, int[] rows) {
    static Part all(CsvTable t) {
      int[] rows = new int[t.rows.size()];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = i;
      }
      return new Part(t, rows);
    }

    int size() {
      return rows.length;
    }

    boolean numericColumn(String name) {
      int col = table.column(name, "data.csv.target");
      for (int r : rows) {
        if (!isNumber(table.rows.get(r)[col])) {
          return false;
        }
      }
      return true;
    }

    double[] features(List<String> names) {
      int[] cols = names.stream().mapToInt(n -> table.column(n, "data.csv.features")).toArray();
      double[] x = new double[rows.length * cols.length]; // [rows, width]
      for (int i = 0; i < rows.length; i++) {
        for (int j = 0; j < cols.length; j++) {
          x[i * cols.length + j] = table.number(rows[i], cols[j]);
        }
      }
      return x;
    }

    float[] values(String target) {
      int col = table.column(target, "data.csv.target");
      float[] y = new float[rows.length];
      for (int i = 0; i < rows.length; i++) {
        y[i] = (float) table.number(rows[i], col);
      }
      return y;
    }

    List<String> cells(String target) {
      int col = table.column(target, "data.csv.target");
      List<String> cells = new ArrayList<>(rows.length);
      for (int r : rows) {
        cells.add(table.rows.get(r)[col]);
      }
      return cells;
    }

    int[] classIds(String target, Map<String, Integer> ids) {
      int col = table.column(target, "data.csv.target");
      int[] y = new int[rows.length];
      for (int i = 0; i < rows.length; i++) {
        Integer id = ids.get(table.rows.get(rows[i])[col]);
        if (id == null) {
          throw new DataException("file " + table.file + ": row " + (rows[i] + 1) + " (line " + table.lines[rows[i]]
              + "), column '" + target + "': class \"" + table.rows.get(rows[i])[col]
              + "\" does not occur in the training file (classes: " + String.join(", ", ids.keySet()) + ")");
        }
        y[i] = id;
      }
      return y;
    }
  }
}
