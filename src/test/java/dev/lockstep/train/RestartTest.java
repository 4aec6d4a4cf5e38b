package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.launch.LaunchSpec;
import dev.lockstep.launch.Launcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --max-restarts N}: a job whose rank failed is started again by the launcher from the newest snapshot
 * and ends with the weights of a run that never failed; config/data errors are not retried; 0 keeps exit 3.
 */
class RestartTest {
  @TempDir static Path dir;
  static Path config;

  /** 14 steps (np 2 × batch 12 of 600 samples), a snapshot every 4. */
  private static final String[] SCHEDULE = {"run.max_steps=14", "output.save_every_steps=4", "optimizer.type=adam",
      "optimizer.lr=0.01"};
  private static final Pattern RESTART = Pattern.compile("lockstep: restart \\d+ of \\d+: .*");

  @BeforeAll
  static void writeConfig() throws IOException {
    config = TrainingRuns.writeSmallConfig(dir);
  }

  private static TrainingRuns.Result train(String device, int maxRestarts, ByteArrayOutputStream out,
                                           String... sets) {
    List<String> args = new ArrayList<>(List.of("train", "-c", config.toString()));
    for (String s : SCHEDULE) {
      args.add("--set");
      args.add(s);
    }
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    int code = Launcher.launch(new LaunchSpec(2, device, null, args, maxRestarts), out);
    String text = out.toString(StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("run directory (\\S+)").matcher(text);
    Path runDir = null;
    while (m.find()) {
      runDir = Path.of(m.group(1)); // the last attempt's
    }
    return new TrainingRuns.Result(code, text, runDir);
  }

  private static List<String> restartLines(String output) {
    return output.lines().filter(l -> RESTART.matcher(l).matches()).toList();
  }

  private static byte[] weights(TrainingRuns.Result r) throws IOException {
    return Files.readAllBytes(r.runDir().resolve("model.safetensors"));
  }

  private static TrainingRuns.Result whole;

  private static synchronized TrainingRuns.Result whole() {
    if (whole == null) {
      whole = train("multicore", 0, new ByteArrayOutputStream(), "run.name=whole");
      assertThat(whole.exitCode()).as(whole.output()).isZero();
    }
    return whole;
  }

  @Test
  void aNiodevRankThatExitsIsRestartedFromTheNewestSnapshotBitIdentical() throws IOException {
    TrainingRuns.Result r = train("niodev", 1, new ByteArrayOutputStream(), "run.name=exits",
        "simulate.fail.rank=1", "simulate.fail.step=7", "simulate.fail.how=exit");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(restartLines(r.output())).containsExactly("lockstep: restart 1 of 1: rank 1 at step 7 failed; all "
        + "ranks start again from the snapshot at step 4 (" + r.runDir().resolve("checkpoints/step-000004") + ")");
    assertThat(weights(r)).isEqualTo(weights(whole()));
    JsonNode restarts = r.summary().get("restarts");
    assertThat(restarts).hasSize(1);
    assertThat(restarts.get(0).get("failed").asText()).isEqualTo("rank 1 at step 7");
    assertThat(restarts.get(0).get("exit").asInt()).isEqualTo(3);
    assertThat(restarts.get(0).get("from_step").asLong()).isEqualTo(4);
  }

  @Test
  void aNiodevRankKilledWithSignal9MidRunIsRestartedAndEndsBitIdentical() throws IOException {
    AtomicBoolean killed = new AtomicBoolean();
    // Rank 1 is slowed from step 3 on, so the kill lands mid-run; its slowness does not change the arithmetic.
    ByteArrayOutputStream out = new ByteArrayOutputStream() {
      @Override
      public synchronized void write(byte[] b, int off, int len) {
        super.write(b, off, len);
        if (!killed.get() && toString(StandardCharsets.UTF_8).contains("step 6/14")) {
          rankProcess(1).ifPresent(p -> {
            killed.set(true);
            p.destroyForcibly(); // SIGKILL
          });
        }
      }
    };
    TrainingRuns.Result r = train("niodev", 1, out, "run.name=killed",
        "simulate.slow_ranks=[{rank: 1, factor: 50, from_step: 3}]");
    assertThat(killed).as("rank 1 was found and killed").isTrue();
    assertThat(r.exitCode()).as(r.output()).isZero();
    List<String> lines = restartLines(r.output());
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).matches("lockstep: restart 1 of 1: rank 1( at step \\d+)? failed; all ranks start "
        + "again from the snapshot at step (4|8|12) \\(.*\\)");
    assertThat(weights(r)).isEqualTo(weights(whole()));
  }

  /** The niodev JVM of {@code rank} among this test JVM's descendants (the launcher runs in-process). */
  private static Optional<ProcessHandle> rankProcess(int rank) {
    return ProcessHandle.current().descendants().filter(p -> {
      String[] args = p.info().arguments().orElse(new String[0]);
      for (int i = 0; i + 3 < args.length; i++) {
        if (args[i].equals("dev.lockstep.Main") && args[i + 1].equals(String.valueOf(rank))
            && args[i + 3].equals("niodev")) {
          return true;
        }
      }
      return false;
    }).findFirst();
  }

  @Test
  void withoutASnapshotYetTheRestartBeginsAgainAndSaysSo() throws IOException {
    TrainingRuns.Result r = train("multicore", 2, new ByteArrayOutputStream(), "run.name=early",
        "simulate.fail.rank=1", "simulate.fail.step=3", "simulate.fail.how=throw");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(restartLines(r.output())).containsExactly("lockstep: restart 1 of 2: rank 1 at step 3 failed; no "
        + "snapshot yet, so all ranks start from the beginning (a new run directory)");
    assertThat(r.runDir().getFileName().toString()).isEqualTo("early-2");
    assertThat(weights(r)).isEqualTo(weights(whole()));
  }

  @Test
  void noRestartsKeepsExit3AndAConfigErrorIsNeverRetried() throws IOException {
    TrainingRuns.Result failed = train("multicore", 0, new ByteArrayOutputStream(), "run.name=norestart",
        "simulate.fail.rank=1", "simulate.fail.step=5", "simulate.fail.how=throw");
    assertThat(failed.exitCode()).as(failed.output()).isEqualTo(3);
    assertThat(restartLines(failed.output())).isEmpty();

    // Straight to the launcher (no preflight): the ranks find the data missing, exit 2, and that is final.
    TrainingRuns.Result bad = train("multicore", 3, new ByteArrayOutputStream(), "run.name=bad",
        "data.dir=" + dir.resolve("no-such-data"));
    assertThat(bad.exitCode()).as(bad.output()).isEqualTo(2);
    assertThat(restartLines(bad.output())).isEmpty();
  }
}
