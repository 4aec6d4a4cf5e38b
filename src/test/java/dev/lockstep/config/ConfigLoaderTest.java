package dev.lockstep.config;

import static dev.lockstep.config.YamlFile.error;
import static dev.lockstep.config.YamlFile.withModel;
import static dev.lockstep.config.YamlFile.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading YAML into records: what is accepted, and how every kind of bad input is reported. */
class ConfigLoaderTest {
  @TempDir
  Path dir;

  private String file() {
    return dir.resolve("cfg.yaml").toString();
  }

  @Test
  void readsSnakeCaseKeysAndFillsEveryOmittedKeyWithItsDefault() {
    LockstepConfig c = ConfigLoader.load(withModel(dir,
        "optimizer:",
        "  weight_decay: 0.01",
        "  schedule: {type: cosine, warmup_steps: 7, min_lr: 1e-5}",
        "data:",
        "  batch_size: 64",
        "  limit_train: 1000",
        "comm: {timeout_s: 30}"));

    assertThat(c.optimizer().weightDecay()).isEqualTo(0.01);
    assertThat(c.optimizer().schedule()).isEqualTo(new ScheduleConfig("cosine", 7L, null, null, 1e-5));
    assertThat(c.data().batchSize()).isEqualTo(64);
    assertThat(c.data().limitTrain()).isEqualTo(1000);
    assertThat(c.comm().timeoutS()).isEqualTo(30.0); // an integer is a fine number
    // untouched keys and sections: the records' defaults
    assertThat(c.optimizer().lr()).isEqualTo(0.05);
    assertThat(c.data().dir()).isEqualTo("/usr/share/datasets/fashion-mnist");
    assertThat(c.run()).isEqualTo(new RunConfig(null, null, null, null, null));
    assertThat(c.update()).isEqualTo(new UpdateConfig(null, null));
    assertThat(c.checkpointing().segments()).isEqualTo("0");
  }

  @Test
  void anEmptySectionMeansAllItsDefaults() {
    LockstepConfig c = ConfigLoader.load(withModel(dir, "optimizer:", "run: {}"));
    assertThat(c.optimizer()).isEqualTo(new OptimizerConfig(null, null, null, null, null, null, null, null, null));
    assertThat(c.run()).isEqualTo(new RunConfig(null, null, null, null, null));
  }

  @Test
  void linearLayersWithoutInitGetHeBeforeReluOrGeluAndXavierOtherwise() {
    LockstepConfig c = ConfigLoader.load(write(dir,
        "model:",
        "  layers:",
        "    - {type: linear, units: 5}",
        "    - {type: gelu}",
        "    - {type: linear, units: 4}",
        "    - {type: tanh}",
        "    - {type: linear, units: 3, init: he}",
        "    - {type: relu}",
        "    - {type: linear, units: 2, init: xavier}",
        "    - {type: linear, units: 1}"));

    assertThat(c.model().layers()).containsExactly(
        new LayerSpec("linear", 5, "he"), new LayerSpec("gelu", null, null),
        new LayerSpec("linear", 4, "xavier"), new LayerSpec("tanh", null, null),
        new LayerSpec("linear", 3, "he"), new LayerSpec("relu", null, null),
        new LayerSpec("linear", 2, "xavier"), new LayerSpec("linear", 1, "xavier"));
  }

  @Test
  void segmentsMayBeWrittenAsANumber() {
    assertThat(ConfigLoader.load(withModel(dir, "checkpointing: {segments: 0}")).checkpointing().segments())
        .isEqualTo("0");
  }

  // --- unknown keys, at every depth ---

  @Test
  void unknownTopLevelSectionIsNamedWithItsLineAndTheKnownSections() {
    assertThat(error(withModel(dir, "run:", "  epochs: 2", "optimiser:", "  lr: 0.1")))
        .isEqualTo(file() + ":6: optimiser: unknown key (known: run, model, data, objective, optimizer, update, "
            + "checkpointing, backend, output, comm, simulate)");
  }

  @Test
  void unknownKeyInASection() {
    assertThat(error(withModel(dir, "optimizer:", "  lr: 0.1", "  lrr: 0.2")))
        .isEqualTo(file() + ":6: optimizer.lrr: unknown key (known: type, lr, momentum, nesterov, weight_decay, "
            + "beta1, beta2, eps, schedule)");
  }

  @Test
  void unknownKeyInANestedSection() {
    assertThat(error(withModel(dir, "optimizer:", "  schedule:", "    type: step", "    decay: 0.5")))
        .isEqualTo(file() + ":7: optimizer.schedule.decay: unknown key "
            + "(known: type, warmup_steps, step_size, gamma, min_lr)");
  }

  @Test
  void unknownKeyInAListElementNamesTheElement() {
    assertThat(error(write(dir,
        "model:",
        "  layers:",
        "    - {type: linear, units: 10}",
        "    - {type: relu}",
        "    - type: linear",
        "      unitz: 10")))
        .isEqualTo(file() + ":6: model.layers[2].unitz: unknown key (known: type, units, init, heads, positional, channels, kernel, stride, padding, rate, sync, momentum)");
  }

  @Test
  void camelCaseKeysAreUnknown() {
    assertThat(error(withModel(dir, "data:", "  batchSize: 32")))
        .startsWith(file() + ":5: data.batchSize: unknown key (known: format, dir, train_images,");
  }

  // --- wrong types: no silent conversion ---

  @Test
  void aWordWhereAnIntegerBelongs() {
    assertThat(error(withModel(dir, "run:", "  epochs: three")))
        .isEqualTo(file() + ":5: run.epochs: expected an integer, got \"three\"");
  }

  @Test
  void aFractionWhereAnIntegerBelongsIsNotTruncated() {
    assertThat(error(withModel(dir, "data:", "  batch_size: 12.5")))
        .isEqualTo(file() + ":5: data.batch_size: expected an integer, got 12.5");
  }

  @Test
  void aQuotedNumberIsAStringNotANumber() {
    assertThat(error(withModel(dir, "optimizer:", "  momentum: 0.5", "  lr: \"0.1\"")))
        .isEqualTo(file() + ":6: optimizer.lr: expected a number, got \"0.1\"");
  }

  @Test
  void neitherNumbersNorQuotedWordsAreBooleans() {
    assertThat(error(withModel(dir, "data:", "  shuffle: 1")))
        .isEqualTo(file() + ":5: data.shuffle: expected true or false, got 1");
    assertThat(error(withModel(dir, "data:", "  shuffle: \"false\"")))
        .isEqualTo(file() + ":5: data.shuffle: expected true or false, got \"false\"");
  }

  @Test
  void aBooleanIsNotAString() {
    assertThat(error(withModel(dir, "run:", "  name: true")))
        .isEqualTo(file() + ":5: run.name: expected a string, got true");
  }

  @Test
  void aScalarWhereASectionOrListBelongs() {
    assertThat(error(write(dir, "run:", "  seed: 1", "model: 3")))
        .isEqualTo(file() + ":3: model: expected a mapping, got 3");
    assertThat(error(write(dir, "model:", "  layers: linear")))
        .isEqualTo(file() + ":2: model.layers: expected a list, got \"linear\"");
    assertThat(error(write(dir, "model:", "  layers:", "    - {type: linear, units: 10}", "    - relu")))
        .isEqualTo(file() + ":4: model.layers[1]: expected a mapping, got \"relu\"");
  }

  @Test
  void anIntegerTooLargeForItsKey() {
    assertThat(error(withModel(dir, "run:", "  epochs: 3000000000")))
        .isEqualTo(file() + ":5: run.epochs: number too large (at most 2147483647)");
    assertThat(error(withModel(dir, "run:", "  seed: 99999999999999999999")))
        .isEqualTo(file() + ":5: run.seed: number too large (at most 9223372036854775807)");
  }

  @Test
  void aKeyWithNoValueIsAnErrorNotTheDefault() {
    assertThat(error(withModel(dir, "optimizer:", "  lr:", "  momentum: 0.5")))
        .isEqualTo(file() + ":5: optimizer.lr: no value given (leave the key out to use its default)");
    assertThat(error(withModel(dir, "run: {name: ~}")))
        .isEqualTo(file() + ":4: run.name: no value given (leave the key out to use its default)");
    assertThat(error(write(dir, "model:", "  layers:", "    - {type: linear, units: 10}", "    -")))
        .isEqualTo(file() + ":4: model.layers[1]: empty list element");
  }

  // --- the file as a whole ---

  @Test
  void missingFile() {
    Path nowhere = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(nowhere))
        .isInstanceOf(ConfigException.class)
        .hasMessage("no such config file: " + nowhere);
  }

  @Test
  void aDirectoryIsNotAConfig() {
    assertThatThrownBy(() -> ConfigLoader.load(dir))
        .isInstanceOf(ConfigException.class)
        .hasMessage("not a config file (a directory?): " + dir);
  }

  @Test
  void emptyFileAndCommentsOnlyAreErrors() throws Exception {
    String expected = file() + ": empty config; expected a mapping of sections (run, model, data, objective, "
        + "optimizer, update, checkpointing, backend, output, comm, simulate)";
    Files.writeString(dir.resolve("cfg.yaml"), "");
    assertThat(error(dir.resolve("cfg.yaml"))).isEqualTo(expected);
    assertThat(error(write(dir, "# nothing here yet", ""))).isEqualTo(expected);
  }

  @Test
  void topLevelMustBeAMapping() {
    assertThat(error(write(dir, "# a list, not sections", "- run", "- model")))
        .startsWith(file() + ":2: the top level must be a mapping of sections (run, model, ")
        .endsWith("), got a list");
    assertThat(error(write(dir, "lockstep"))).endsWith("got \"lockstep\"");
  }

  @Test
  void duplicateKeyNamesBothLines() {
    assertThat(error(withModel(dir, "optimizer:", "  lr: 0.1", "  momentum: 0.5", "  lr: 0.2")))
        .isEqualTo(file() + ":7: optimizer.lr: duplicate key (first at line 5)");
    assertThat(error(withModel(dir, "run: {}", "model: {}")))
        .isEqualTo(file() + ":5: model: duplicate key (first at line 1)");
  }

  @Test
  void yamlSyntaxErrorNamesTheLine() {
    assertThat(error(withModel(dir, "optimizer:", "  lr: 0.1", " momentum: 0.5")))
        .startsWith(file() + ":6: YAML syntax error: ");
    assertThat(error(withModel(dir, "optimizer: {lr: 0.1")))
        .startsWith(file() + ":5: YAML syntax error: ");
  }

  @Test
  void aSecondDocumentIsRejected() {
    assertThat(error(withModel(dir, "---", "run: {epochs: 2}")))
        .isEqualTo(file() + ":5: a second YAML document; a config is one document");
  }

  @Test
  void everyProblemIsKeptOneLineEachAndTheMessageIsTheFirst() {
    ConfigException e = catchConfig(write(dir,
        "model:",
        "  layers:",
        "    - {type: linear, units: 0}",
        "optimizer:",
        "  lr: 0",
        "update: {mode: lazy}"));
    assertThat(e.lines()).containsExactly(
        file() + ":3: model.layers[0].units: must be >= 1 (got 0)",
        file() + ":5: optimizer.lr: must be > 0 (got 0)",
        file() + ":6: update.mode: must be one of sync, async, auto (got \"lazy\")");
    assertThat(e.getMessage()).isEqualTo(e.lines().get(0));
  }

  @Test
  void fromYamlNamesItsSourceInMessages() {
    assertThatThrownBy(() -> ConfigLoader.fromYaml("run: {epochs: 0}\n", "effective config", List.of()))
        .hasMessage("effective config:1: run.epochs: must be >= 1 (got 0)");
  }

  private static ConfigException catchConfig(Path file) {
    try {
      ConfigLoader.load(file);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException");
  }
}
