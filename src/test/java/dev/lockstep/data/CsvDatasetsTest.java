package dev.lockstep.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.config.CsvConfig;
import dev.lockstep.config.DataConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** format csv: columns by name, class mapping, train-only standardisation, seeded split, one-line errors. */
class CsvDatasetsTest {
  @TempDir Path dir;

  private static final String FLOWERS = """
      id,petal,"sepal, width",species
      1,1.0,10,setosa
      2,2.0,20,virginica
      3,3.0,30,setosa

      4,4.0,40,"versicolor"
      5,5.0,50,virginica
      """;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static DataConfig csv(Path train, Path test, String target, List<String> features, String targetType,
                        double testFraction, String normalize) {
    return new DataConfig("csv", null, null, null, null, null, null, null, normalize, null, null, null, null,
        new CsvConfig(train.toString(), test == null ? "" : test.toString(), target, features, targetType,
            testFraction, 7L), null);
  }

  @Test
  void categoricalTargetsBecomeSortedClassIdsAndFeaturesComeByName() throws IOException {
    Path f = write("flowers.csv", FLOWERS);
    TrainTest tt = Datasets.load(csv(f, null, "species", List.of("sepal, width", "petal"), "auto", 0, "none"));
    Dataset train = tt.train();
    assertThat(train.hasLabels()).isTrue();
    assertThat(train.classNames()).containsExactly("setosa", "versicolor", "virginica");
    assertThat(train.labels()).containsExactly(0, 2, 0, 1, 2);
    assertThat(train.width()).isEqualTo(2);
    assertThat(train.features()).containsExactly(10, 1, 20, 2, 30, 3, 40, 4, 50, 5);
    assertThat(tt.test().size()).isZero();
  }

  @Test
  void allButTargetAreFeaturesAndNumericTargetsRegressOrClassify() throws IOException {
    Path f = write("n.csv", "a,y,b\n1,0.5,2\n3,1.5,4\n");
    Dataset reg = Datasets.load(csv(f, null, "y", List.of(), "auto", 0, "none")).train();
    assertThat(reg.hasLabels()).isFalse();
    assertThat(reg.values()).containsExactly(0.5f, 1.5f);
    assertThat(reg.features()).containsExactly(1, 2, 3, 4);
    Dataset cls = Datasets.load(csv(f, null, "y", List.of(), "class", 0, "none")).train();
    assertThat(cls.classNames()).containsExactly("0.5", "1.5");
  }

  @Test
  void numericClassLabelsSortNumerically() throws IOException {
    Path f = write("n.csv", "x,y\n1,10\n2,9\n3,10\n4,2\n");
    Dataset ds = Datasets.load(csv(f, null, "y", List.of(), "class", 0, "none")).train();
    assertThat(ds.classNames()).containsExactly("2", "9", "10");
    assertThat(ds.labels()).containsExactly(2, 1, 2, 0);
  }

  @Test
  void standardisationUsesTrainingStatisticsOnly() throws IOException {
    Path train = write("train.csv", "a,b,y\n1,5,0\n3,5,1\n");
    Path test = write("test.csv.gz", "");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(test))) {
      out.write("y,a,b\n1,5,7\n".getBytes(StandardCharsets.UTF_8)); // other column order, gzipped
    }
    TrainTest tt = Datasets.load(csv(train, test, "y", List.of("a", "b"), "class", 0.5, "standard"));
    assertThat(tt.train().features()).containsExactly(-1, 0, 1, 0); // a: mean 2, std 1; b constant: centred
    assertThat(tt.test().features()).containsExactly(3f, 2f); // (5 − 2)/1 and (7 − 5)/1
    assertThat(tt.test().labels()).containsExactly(1);
  }

  @Test
  void seededSplitHoldsOutTheFractionDeterministically() throws IOException {
    StringBuilder text = new StringBuilder("x,y\n");
    for (int i = 0; i < 100; i++) {
      text.append(i).append(',').append(i % 3).append('\n');
    }
    Path f = write("big.csv", text.toString());
    TrainTest a = Datasets.load(csv(f, null, "y", List.of(), "class", 0.25, "none"));
    TrainTest b = Datasets.load(csv(f, null, "y", List.of(), "class", 0.25, "none"));
    assertThat(a.test().size()).isEqualTo(25);
    assertThat(a.train().size()).isEqualTo(75);
    assertThat(a.test().features()).containsExactly(b.test().features());
    java.util.Set<Float> seen = new java.util.HashSet<>();
    for (float v : a.train().features()) {
      seen.add(v);
    }
    for (float v : a.test().features()) {
      assertThat(seen.add(v)).as("row %s in both splits", v).isTrue();
    }
    assertThat(seen).hasSize(100);
    for (int i = 0; i < 25; i++) {
      assertThat(a.test().labels()[i]).isEqualTo((int) a.test().features()[i] % 3);
    }
  }

  @Test
  void errorsNameFileRowAndColumn() throws IOException {
    Path f = write("flowers.csv", FLOWERS);
    assertThatThrownBy(() -> Datasets.load(csv(f, null, "kind", List.of(), "auto", 0, "none")))
        .isInstanceOf(DataException.class)
        .hasMessage("file " + f + ": no column 'kind' (asked for by data.csv.target; columns: id, petal, sepal, width, "
            + "species)");
    assertThatThrownBy(() -> Datasets.load(csv(f, null, "petal", List.of("id", "colour"), "auto", 0, "none")))
        .hasMessageContaining("no column 'colour' (asked for by data.csv.features[1]");
    assertThatThrownBy(() -> Datasets.load(csv(f, null, "id", List.of(), "auto", 0, "none")))
        .hasMessage("file " + f + ": row 1 (line 2), column 'species': \"setosa\" is not a number");
    Path gap = write("gap.csv", "a,b\n1,2\n3,\n");
    assertThatThrownBy(() -> Datasets.load(csv(gap, null, "a", List.of(), "auto", 0, "none")))
        .hasMessage("file " + gap + ": row 2 (line 3), column 'b': empty cell is not a number");
    Path empty = write("empty.csv", "\n\n");
    assertThatThrownBy(() -> Datasets.load(csv(empty, null, "a", List.of(), "auto", 0, "none")))
        .hasMessage("file " + empty + ": empty file (expected a header row of column names)");
    Path headerOnly = write("h.csv", "a,b\n");
    assertThatThrownBy(() -> Datasets.load(csv(headerOnly, null, "a", List.of(), "auto", 0, "none")))
        .hasMessage("file " + headerOnly + ": no data rows after the header");
    Path ragged = write("r.csv", "a,b\n1,2\n3\n");
    assertThatThrownBy(() -> Datasets.load(csv(ragged, null, "a", List.of(), "auto", 0, "none")))
        .hasMessage("file " + ragged + ": line 3 has 1 cells but the header has 2 columns");
    assertThatThrownBy(() -> Datasets.load(csv(dir.resolve("absent.csv"), null, "a", List.of(), "auto", 0, "none")))
        .hasMessage("file " + dir.resolve("absent.csv") + ": not found");
    Path test = write("t.csv", "id,petal,sepal, width,species\n9,1,1,daisy\n".replace("sepal, width", "\"sepal, width\""));
    assertThatThrownBy(() -> Datasets.load(csv(f, test, "species", List.of(), "class", 0, "none")))
        .hasMessage("file " + test + ": row 1 (line 2), column 'species': class \"daisy\" does not occur in the "
            + "training file (classes: setosa, versicolor, virginica)");
  }

  @Test
  void standardisedValuesMatchAFloat64Reference() throws IOException {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(dev.lockstep.tensor.TestSeed.fresh());
    int n = 37;
    double[] a = new double[n];
    StringBuilder text = new StringBuilder("a,y\n");
    for (int i = 0; i < n; i++) {
      a[i] = rng.nextDouble(-50, 50);
      text.append(a[i]).append(',').append(i % 2).append('\n');
    }
    Dataset ds = Datasets.load(csv(write("s.csv", text.toString()), null, "y", List.of(), "class", 0, "standard"))
        .train();
    double mean = java.util.Arrays.stream(a).average().orElseThrow();
    double var = java.util.Arrays.stream(a).map(v -> (v - mean) * (v - mean)).sum() / n;
    for (int i = 0; i < n; i++) {
      assertThat((double) ds.features()[i]).isCloseTo((a[i] - mean) / Math.sqrt(var), within(1e-6));
    }
  }
}
