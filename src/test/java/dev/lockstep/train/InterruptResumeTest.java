package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.cli.LockstepCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGINT/SIGTERM to a real {@code lockstep train} process (the launcher, as a user's shell would signal it): every
 * rank stops at the same step, rank 0 snapshots there and says how to resume, the exit code is 128 + the signal, and
 * {@code train --resume DIR} alone ends with the weights of a run never interrupted.
 */
class InterruptResumeTest {
  @TempDir static Path dir;
  static Path config;

  /** 4 epochs of 25 steps; rank 1 is slowed (1000×: a step of this small model takes well under 1 ms) so that the
   * run is still going when the signal comes, even on a loaded machine. */
  private static final String[] LONG = {"run.epochs=4", "output.save_every_epochs=0", "optimizer.type=adam",
      "optimizer.lr=0.01", "optimizer.schedule.type=cosine"};
  private static final String SLOW = "simulate.slow_ranks=[{rank: 1, factor: 1000, from_step: 3}]";

  @BeforeAll
  static void writeConfig() throws IOException {
    config = TrainingRuns.writeSmallConfig(dir);
  }

  /** A {@code lockstep train} JVM and everything it printed so far. */
  private static final class TrainProcess {
    final Process process;
    final StringBuffer output = new StringBuffer();

    TrainProcess(List<String> args) throws IOException {
      // As from a terminal: a build started in the background (`cmd &`, nohup, some CI runners) ignores SIGINT, the
      // child would inherit that, and a JVM never handles a signal ignored at its start. env resets both signals.
      List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM",
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
          System.getProperty("java.class.path"), "dev.lockstep.Main", "train"));
      command.addAll(args);
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      Thread reader = new Thread(() -> {
        try (InputStream in = process.getInputStream()) {
          byte[] buf = new byte[4096];
          for (int n; (n = in.read(buf)) > 0; ) {
            output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
          }
        } catch (IOException e) {
          // the process ended
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    void awaitOutput(String text, double seconds) throws InterruptedException {
      long until = System.nanoTime() + (long) (seconds * 1e9);
      while (!output.toString().contains(text)) {
        assertThat(System.nanoTime()).as("waiting for '%s' in:%n%s", text, output).isLessThan(until);
        assertThat(process.isAlive()).as("ended early:%n%s", output).isTrue();
        Thread.sleep(20);
      }
    }

    void signal(String name) throws IOException, InterruptedException {
      Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
      assertThat(kill.waitFor()).isZero();
    }

    int awaitExit(double seconds) throws InterruptedException {
      assertThat(process.waitFor((long) (seconds * 1000), TimeUnit.MILLISECONDS)).as("%s", output).isTrue();
      Thread.sleep(100); // the reader's last bytes
      return process.exitValue();
    }
  }

  private static List<String> args(String device, String... sets) {
    List<String> args = new ArrayList<>(List.of("-c", config.toString(), "--np", "2", "--dev", device));
    for (String s : LONG) {
      args.add("--set");
      args.add(s);
    }
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return args;
  }

  private static final Pattern INTERRUPTED = Pattern.compile(
      "lockstep: interrupted at step (\\d+); resume: lockstep train --resume (\\S+)");

  @Test
  void ctrlCStopsAllRanksAtOneStepSnapshotsAndResumeAloneEndsBitIdentical() throws Exception {
    TrainingRuns.Result whole = TrainingRuns.train(config, 2, "multicore", concat(LONG, "run.name=whole"));
    assertThat(whole.exitCode()).as(whole.output()).isZero();

    TrainProcess p = new TrainProcess(args("multicore", "run.name=cut", SLOW));
    p.awaitOutput("step 5/100", 60);
    p.signal("INT");
    assertThat(p.awaitExit(30)).as(p.output.toString()).isEqualTo(130);
    String out = p.output.toString();
    Matcher m = INTERRUPTED.matcher(out);
    assertThat(m.find()).as(out).isTrue();
    assertThat(m.find()).as("said once").isFalse();
    m = INTERRUPTED.matcher(out);
    m.find();
    long step = Long.parseLong(m.group(1));
    Path runDir = Path.of(m.group(2));
    assertThat(step).isBetween(5L, 99L);
    assertThat(runDir.resolve(String.format("checkpoints/step-%06d/manifest.json", step))).exists();
    assertThat(runDir.resolve("model.safetensors")).doesNotExist();
    assertThat(Files.readString(runDir.resolve("metrics.jsonl"))).contains("{\"kind\":\"interrupted\",\"step\":" + step);

    // --resume DIR alone: DIR's config.yaml; --set still applies (simulate.* may change).
    StringWriter err = new StringWriter();
    int code = LockstepCommand.execute(new String[] {"train", "--resume", runDir.toString(), "--set",
        "simulate.slow_ranks=[]"}, new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(code).as(err.toString()).isZero();
    assertThat(Files.readAllBytes(runDir.resolve("model.safetensors")))
        .isEqualTo(Files.readAllBytes(whole.runDir().resolve("model.safetensors")));
  }

  @Test
  void sigtermStopsNiodevRanksWith143AndWithoutSnapshotWhenTheConfigSaysSo() throws Exception {
    TrainProcess p = new TrainProcess(args("niodev", "run.name=term", "output.snapshot_on_interrupt=false", SLOW));
    p.awaitOutput("step 3/100", 60);
    p.signal("TERM");
    assertThat(p.awaitExit(30)).as(p.output.toString()).isEqualTo(143);
    Matcher m = Pattern.compile("lockstep: interrupted at step (\\d+); no snapshot written "
        + "\\(output.snapshot_on_interrupt is false\\)").matcher(p.output);
    assertThat(m.find()).as(p.output.toString()).isTrue();
    assertThat(p.output.toString()).doesNotContain("killed by signal").doesNotContain("ended with exit code");
    assertThat(dir.resolve("term/checkpoints")).doesNotExist();
  }

  @Test
  void aSecondCtrlCEndsAtOnceEvenWhenTheRanksCannotReachAStepBoundary() throws Exception {
    // Rank 1 hangs in step 3: the ranks can never agree on a boundary; only the second Ctrl-C ends the job.
    TrainProcess p = new TrainProcess(args("multicore", "run.name=hung", "simulate.fail.rank=1",
        "simulate.fail.step=3", "simulate.fail.how=hang", "comm.timeout_s=120"));
    p.awaitOutput("simulate.fail: hanging at step 3", 60);
    p.signal("INT");
    Thread.sleep(500);
    assertThat(p.process.isAlive()).as("the first Ctrl-C waits for a step boundary").isTrue();
    long t0 = System.nanoTime();
    p.signal("INT");
    assertThat(p.awaitExit(10)).isEqualTo(130);
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5);
    assertThat(p.output.toString()).contains("lockstep: interrupted again: stopped the ranks at once, without a "
        + "snapshot").doesNotContain("interrupted at step");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
