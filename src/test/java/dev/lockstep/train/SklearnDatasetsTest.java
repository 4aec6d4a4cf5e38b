package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real data when Debian's python3-sklearn is installed (skipped otherwise; not a build dependency): its CSVs
 * start with a count line ("150,4,setosa,...") instead of a header, and diabetes is space-separated in two
 * gzipped files, so each is rewritten as a plain CSV with a header first. Another directory holding the same
 * files can be given with {@code -Dlockstep.sklearn.data=DIR}.
 */
class SklearnDatasetsTest {
  static final Path DATA = Path.of(System.getProperty("lockstep.sklearn.data",
      "/usr/lib/python3/dist-packages/sklearn/datasets/data"));
  @TempDir static Path dir;

  @ParameterizedTest(name = "{0} with {1}: test_{3} > {4}")
  @CsvSource(delimiter = '|', textBlock = """
      wine_data.csv     | cross_entropy        | 3 | accuracy | 0.9
      iris.csv          | hinge                | 3 | accuracy | 0.85
      breast_cancer.csv | binary_cross_entropy | 1 | accuracy | 0.9
      diabetes          | mse                  | 1 | r2       | 0.3
      """)
  void trainsOnScikitLearnsBundledData(String data, String objective, int outputs, String metric, double threshold)
      throws IOException {
    assumeTrue(Files.isDirectory(DATA), "python3-sklearn's data directory " + DATA + " is not installed");
    Path csv = data.equals("diabetes") ? diabetes() : withHeader(DATA.resolve(data));
    boolean regression = data.equals("diabetes");
    TrainingRuns.Result run = TrainingRuns.train(Path.of("configs/wine-csv.yaml"), 2, "multicore",
        "run.out_dir=" + dir, "run.name=" + data.replace(".csv", ""), "data.csv.train_file=" + csv,
        "data.csv.target=target", "data.csv.target_type=" + (regression ? "value" : "class"),
        "objective.type=" + objective, "model.layers.2.units=" + outputs,
        "optimizer.lr=" + (regression ? "0.03" : "0.01"));
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.summary().get("test_" + metric).asDouble()).as(run.output()).isGreaterThan(threshold);
  }

  /** sklearn's "n,features,names..." first line replaced by x0,...,x{f-1},target. */
  private static Path withHeader(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    int features = Integer.parseInt(lines.get(0).split(",")[1].strip());
    List<String> out = new ArrayList<>();
    out.add(header(features));
    out.addAll(lines.subList(1, lines.size()));
    Path result = dir.resolve(file.getFileName());
    Files.write(result, out);
    return result;
  }

  /** diabetes_data_raw (10 space-separated columns) joined with diabetes_target, one CSV. */
  private static Path diabetes() throws IOException {
    List<String> x = gunzipLines(DATA.resolve("diabetes_data_raw.csv.gz"));
    List<String> y = gunzipLines(DATA.resolve("diabetes_target.csv.gz"));
    assertThat(x).hasSameSizeAs(y);
    List<String> out = new ArrayList<>();
    out.add(header(10));
    for (int i = 0; i < x.size(); i++) {
      out.add(String.join(",", x.get(i).strip().split("\\s+")) + "," + y.get(i).strip());
    }
    Path result = dir.resolve("diabetes.csv");
    Files.write(result, out);
    return result;
  }

  private static String header(int features) {
    StringBuilder h = new StringBuilder();
    for (int f = 0; f < features; f++) {
      h.append('x').append(f).append(',');
    }
    return h.append("target").toString();
  }

  private static List<String> gunzipLines(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }
  }
}
