package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** doctor, plot, compare, completion and the manuals, as a user runs them. */
class UserCommandsTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return LockstepCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
  }

  @Test
  void doctorFailsWithExitCode2WhenMpjIsMissing() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        "-Dlockstep.mpj.home=" + dir.resolve("home"), // nothing there, and nothing to assemble it from:
        "-Dlockstep.mpj.debian.root=" + empty, "dev.lockstep.Main", "doctor").redirectErrorStream(true);
    pb.environment().put("MPJ_HOME", empty.toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isEqualTo(ExitCodes.USAGE);
    assertThat(output).containsPattern("FAIL +mpj +no MPJ Express home: MPJ Express is not installed")
        .contains("-> install Debian's libmpj-java").containsPattern("WARN +mpj +ignoring MPJ_HOME=" + empty)
        .containsPattern("OK +java ").contains("Not ready");
  }

  @Test
  void doctorOnThisMachineChecksEverythingAndNamesTheBackend() {
    int code = run("doctor", "--np", "3");
    String text = out.toString();
    assertThat(text).containsPattern("(?m)^OK +java ").containsPattern("(?m)^OK +mpj +MPJ home ")
        .containsPattern("(?m)^(OK|WARN) +openblas +OpenBLAS .* \\| core \\S+ \\| \\d+ thread")
        .containsPattern("(?m)^(OK|NOTE) +cuda ").containsPattern("(?m)^OK +backend +a run with --np 3 would use "
            + "(cpu|cuda)");
    for (String line : text.lines().toList()) {
      assertThat(line).matches("(OK|NOTE|WARN|FAIL) .*|  +-> .*|Ready to train\\.|Not ready.*");
    }
    assertThat(code).as(text).isEqualTo(text.contains("FAIL") ? ExitCodes.USAGE : ExitCodes.OK);
  }

  @Test
  void doctorNamesMissingDataFiles() throws IOException {
    Path cfg = Files.writeString(dir.resolve("c.yaml"), "model: {layers: [{type: linear, units: 10}]}\ndata: {dir: " + dir + "}\n");
    assertThat(run("doctor", "-c", cfg.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(out.toString()).containsPattern("FAIL +data +" + cfg + ":2: data.train_images: " + dir
        + "/train-images-idx3-ubyte.gz not found").contains("Not ready");
  }

  @Test
  void doctorChecksTheConfigsOwnCsvDataAndOutputDirectoryNotFashionMnist() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Path cfg = Files.writeString(dir.resolve("wine.yaml"), """
        run: {out_dir: %s}
        model: {layers: [{type: linear, units: 3}]}
        data: {format: csv, batch_size: 2, csv: {train_file: %s, target: cultivar}}
        """.formatted(file.resolve("runs"), dir.resolve("wine.csv")));
    assertThat(run("doctor", "-c", cfg.toString())).isEqualTo(ExitCodes.USAGE);
    String text = out.toString();
    assertThat(text).containsPattern("(?m)^FAIL +data +" + Pattern.quote(cfg + ":3: data.csv.train_file: file "
        + dir.resolve("wine.csv") + ": not found")).containsPattern("(?m)^FAIL +output +" + Pattern.quote(cfg
        + ":1: run.out_dir: cannot create the run directory under " + file.resolve("runs")))
        .doesNotContain("fashion-mnist").contains("Not ready");

    // With the data in place (and a writable out_dir) the same config is ready as far as the run goes.
    Files.writeString(dir.resolve("wine.csv"), "alcohol,cultivar\n" + "13.2,a\n".repeat(4) + "12.1,b\n".repeat(4));
    out.getBuffer().setLength(0);
    run("doctor", "-c", cfg.toString(), "--set", "run.out_dir=" + dir.resolve("runs"), "--np", "1");
    assertThat(out.toString()).containsPattern("(?m)^OK +data +" + Pattern.quote(dir.resolve("wine.csv")
        + ": 6 training samples")).containsPattern("(?m)^OK +output ").containsPattern("(?m)^OK +batch ");
  }

  @Test
  void doctorJsonIsOneRecordPerCheckAndAVerdict() throws IOException {
    Path cfg = Files.writeString(dir.resolve("c.yaml"), "model: {layers: [{type: linear, units: 10}]}\ndata: {dir: " + dir + "}\n");
    assertThat(run("doctor", "--json", "-c", cfg.toString())).isEqualTo(ExitCodes.USAGE);
    List<com.fasterxml.jackson.databind.JsonNode> records = new java.util.ArrayList<>();
    for (String line : out.toString().lines().toList()) {
      records.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line)); // every line is JSON
    }
    assertThat(records).extracting(r -> r.get("kind").asText()).endsWith("verdict").contains("check");
    assertThat(records).filteredOn(r -> r.get("kind").asText().equals("check"))
        .extracting(r -> r.get("topic").asText()).contains("java", "mpj", "data", "openblas", "cuda", "backend");
    assertThat(records).filteredOn(r -> r.get("kind").asText().equals("check")).anySatisfy(r -> {
      assertThat(r.get("topic").asText()).isEqualTo("data");
      assertThat(r.get("status").asText()).isEqualTo("FAIL");
      assertThat(r.get("message").asText()).contains(dir.resolve("train-images-idx3-ubyte.gz") + " not found");
      assertThat(r.get("advice").asText()).isNotBlank();
    });
    com.fasterxml.jackson.databind.JsonNode verdict = records.get(records.size() - 1);
    assertThat(verdict.get("ready").asBoolean()).isFalse();
    assertThat(verdict.get("failed").toString()).contains("\"data\"");
  }

  @Test
  void compareTabulatesRunsAndRefusesADirectoryThatIsNoRun() throws IOException {
    Path a = Files.createDirectories(dir.resolve("sync"));
    Files.writeString(a.resolve("metrics.jsonl"), "{\"kind\":\"step\",\"step\":10,\"loss\":0.5}\n");
    Files.writeString(a.resolve("summary.json"), """
        {"ranks": 2, "steps": 10, "train_seconds": 4.0, "wall_seconds": 5.5, "samples_per_s": 1234.5,
         "final_train_loss": 0.5, "test_accuracy": 0.8512, "test_loss": 0.41, "activation_peak_bytes": 3145728,
         "mode_switches": [{"step": 3}, {"step": 7}],
         "per_rank": [{"rank": 0, "communication_s": 1.0, "wait_s": 0.2},
                      {"rank": 1, "communication_s": 2.0, "wait_s": 0.0}]}
        """);
    Path b = Files.createDirectories(dir.resolve("crashed"));
    Files.writeString(b.resolve("metrics.jsonl"), "{\"kind\":\"step\",\"step\":4,\"loss\":1.25}\n");
    assertThat(run("compare", a.toString(), b.toString())).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).split(" +")).startsWith("run", "ranks", "steps", "test", "acc");
    assertThat(lines.get(1).split(" +")).containsExactly("sync", "2", "10", "0.8512", "0.4100", "0.5000", "5.5",
        "1235", "38%", "3%", "3.0", "MiB", "2");
    assertThat(lines.get(2)).startsWith("crashed (unfinished)").contains("1.2500");

    assertThat(run("compare", dir.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("lockstep: " + dir + " is not a run directory (no metrics.jsonl)");
  }

  @Test
  void plotRefusesADirectoryThatIsNoRun() {
    assertThat(run("plot", dir.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("is not a run directory");
  }

  @Test
  void completionIsABashScriptCoveringEveryCommand() throws Exception {
    assertThat(run("completion")).isZero();
    String script = out.toString();
    assertThat(script).startsWith("#!/usr/bin/env bash").contains("complete -F")
        .contains("train", "config", "plot", "compare", "doctor", "completion", "--np", "--json", "--quiet");
    Path file = Files.writeString(dir.resolve("lockstep.bash"), script);
    Process bash = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
    assertThat(bash.waitFor()).as(new String(bash.getInputStream().readAllBytes())).isZero();
  }

  @Test
  void everyCommandsHelpIsItsManual() {
    for (String cmd : List.of("train", "plot", "compare", "doctor", "completion")) {
      out.getBuffer().setLength(0);
      assertThat(run(cmd, "--help")).isZero();
      assertThat(out.toString()).as(cmd).contains("Usage: lockstep " + cmd, "Examples:", "Exit codes:");
    }
    run("train", "--help");
    assertThat(out.toString()).contains("--json", "--quiet", "output.trace", "output.plots");
    run("doctor", "--help");
    assertThat(out.toString()).contains("(default: 2)");
  }
}
