package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.cli.LockstepCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Character-level language models trained on real MPJ ranks: the attention model on N ranks with batch B ends
 * with the weights of 1 rank with batch N·B; the run leaves vocab.json; {@code lockstep sample} generates from
 * it; the MLP language model trains too.
 */
class TextModelTrainingTest {
  @TempDir static Path dir;
  static Path gpt;
  static Path mlp;

  @BeforeAll
  static void writeConfigs() throws IOException {
    StringBuilder text = new StringBuilder();
    String[] words = {"the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far", "away", "today"};
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    for (int i = 0; i < 1500; i++) {
      text.append(words[rng.nextInt(words.length)]).append(i % 9 == 8 ? ".\n" : " ");
    }
    Path corpus = dir.resolve("corpus.txt");
    Files.writeString(corpus, text);
    String common = """
        run: {name: lm, seed: 5, epochs: 1, out_dir: "%s"}
        data: {format: text, path: "%s", context: 6, batch_size: 6, limit_test: 20}
        optimizer: {type: sgd, lr: 0.1, momentum: 0.9}
        update: {check_every: 1}
        output: {log_every: 1}
        backend: {device: cpu}
        """.formatted(dir.toString().replace("\\", "/"), corpus.toString().replace("\\", "/"));
    gpt = dir.resolve("gpt.yaml");
    Files.writeString(gpt, common + """
        model:
          layers:
            - {type: embedding, units: 8, positional: true}
            - {type: transformer_block, heads: 2}
            - {type: layer_norm}
            - {type: lm_head}
        """);
    mlp = dir.resolve("mlp.yaml");
    Files.writeString(mlp, common + """
        model:
          layers:
            - {type: embedding, units: 4}
            - {type: linear, units: 24}
            - {type: tanh}
            - {type: lm_head}
        """);
  }

  @ParameterizedTest(name = "np={0}")
  @ValueSource(ints = {2, 3})
  void attentionModelOnNRanksMatchesOneRankWithNTimesTheBatch(int np) throws IOException {
    TrainingRuns.Result single = TrainingRuns.train(gpt, 1, "multicore", "data.batch_size=6", "run.max_steps=4",
        "run.name=single-" + np);
    TrainingRuns.Result multi = TrainingRuns.train(gpt, np, "multicore", "data.batch_size=" + (6 / np),
        "run.max_steps=4", "run.name=multi-" + np);
    assertThat(single.exitCode()).as(single.output()).isZero();
    assertThat(multi.exitCode()).as(multi.output()).isZero();
    TrainingRuns.assertSameWeights(single.runDir().resolve("model.safetensors"),
        multi.runDir().resolve("model.safetensors"), 1e-5, "1 rank vs " + np + " ranks");
    assertThat(multi.summary().get("replicas_identical").asBoolean()).isTrue();
    assertThat(multi.summary().get("final_train_loss").asDouble())
        .isCloseTo(single.summary().get("final_train_loss").asDouble(), org.assertj.core.data.Offset.offset(1e-4));
    assertThat(multi.output()).contains("unigram baseline").contains("bits/char");
  }

  @Test
  void trainedModelsSampleTextFromTheirRunDirectory() throws IOException {
    for (Path config : new Path[] {gpt, mlp}) {
      TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "run.max_steps=10",
          "run.name=sample-" + config.getFileName());
      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.runDir().resolve("vocab.json")).exists();
      assertThat(Files.readString(run.runDir().resolve("metrics.jsonl"))).contains("\"bits_per_char\"");

      String[] once = sample(run.runDir(), "--prompt", "the ca", "--length", "40", "--seed", "9");
      assertThat(once[0]).as(once[1]).isEqualTo("0");
      String text = once[1].stripTrailing();
      assertThat(text).startsWith("the ca");
      assertThat(text.codePointCount(0, text.length())).isGreaterThanOrEqualTo(46 - 2); // trailing newlines stripped
      assertThat(sample(run.runDir(), "--prompt", "the ca", "--length", "40", "--seed", "9")[1]).isEqualTo(once[1]);
      String[] greedy = sample(run.runDir(), "--temperature", "0", "--length", "20", "--seed", "1");
      assertThat(sample(run.runDir(), "--temperature", "0", "--length", "20", "--seed", "2")[1])
          .as("temperature 0 ignores the seed").isEqualTo(greedy[1]);
      String[] bad = sample(run.runDir(), "--prompt", "QQ");
      assertThat(bad[0]).isEqualTo("2");
      assertThat(bad[2]).contains("--prompt: character 'Q' is not in the model's vocabulary");
    }
  }

  /** Exit code, stdout, stderr of {@code lockstep sample RUN_DIR args...}. */
  private static String[] sample(Path runDir, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "sample";
    all[1] = runDir.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    StringWriter out = new StringWriter(), err = new StringWriter();
    int code = LockstepCommand.execute(all, new PrintWriter(out), new PrintWriter(err));
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }
}
