package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.launch.LaunchSpec;
import dev.lockstep.launch.Launcher;
import dev.lockstep.launch.MpjHome;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two "hosts" made of network namespaces of this machine (lst-h1 10.252.0.1, lst-h2 10.252.0.2, one veth pair between
 * them; no address outside the namespaces), each running its own MPJ Express daemon. The launcher runs on lst-h1 (rank
 * 0's host), as {@code ip netns exec lst-h1 java dev.lockstep.Main ...}. The same daemons start niodev jobs (a JVM per
 * rank) and hybdev jobs (a JVM per host, its ranks threads). Skips without root or iproute2.
 */
class ClusterNamespacesTest {
  private static final String H1 = "lst-h1";
  private static final String H2 = "lst-h2";

  /**
   * Namespaces are machine-wide: runs of this test from several checkouts at once would delete each other's hosts and
   * kill each other's daemons and launchers. They take turns on this lock instead.
   */
  private static final Path LOCK = Path.of(System.getProperty("java.io.tmpdir"), "lockstep-cluster-namespaces.lock");

  @TempDir
  static Path dir;
  private static Path hosts;
  private static FileChannel lockFile;

  @BeforeAll
  static void makeTwoHosts() throws Exception {
    Assumptions.assumeTrue(new File("/usr/sbin/ip").canExecute() || new File("/sbin/ip").canExecute()
        || new File("/usr/bin/ip").canExecute(), "iproute2's ip is not installed (apt-get install iproute2)");
    lockFile = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    lockFile.lock(); // waits while another run holds it; released when the channel closes (@AfterAll)
    removeHosts();
    String[][] setup = {
        {"ip", "netns", "add", H1}, {"ip", "netns", "add", H2},
        {"ip", "link", "add", "lst-v1", "netns", H1, "type", "veth", "peer", "name", "lst-v2", "netns", H2},
        {"ip", "-n", H1, "addr", "add", "10.252.0.1/24", "dev", "lst-v1"},
        {"ip", "-n", H2, "addr", "add", "10.252.0.2/24", "dev", "lst-v2"},
        {"ip", "-n", H1, "link", "set", "lo", "up"}, {"ip", "-n", H2, "link", "set", "lo", "up"},
        {"ip", "-n", H1, "link", "set", "lst-v1", "up"}, {"ip", "-n", H2, "link", "set", "lst-v2", "up"}};
    for (String[] step : setup) {
      Run r = run(List.of(step), 20);
      if (r.code() != 0) {
        removeHosts();
        Assumptions.abort("cannot create network namespaces here (" + String.join(" ", step) + ": " + r.out().strip()
            + "); needs root and iproute2");
      }
    }
    hosts = Files.writeString(dir.resolve("hosts.txt"), "10.252.0.1 netns=" + H1 + "\n10.252.0.2 netns=" + H2 + "\n");
    Run start = lockstepOnH1(60, "daemons", "start", "--machines", hosts.toString());
    assertThat(start.code()).as(start.out()).isZero();
  }

  @AfterAll
  static void removeHostsAndLetTheNextRunGo() throws Exception {
    try {
      removeHosts();
    } finally {
      if (lockFile != null) {
        lockFile.close();
      }
    }
  }

  private static void removeHosts() throws Exception {
    if (hosts != null) {
      lockstepOnH1(60, "daemons", "stop", "--machines", hosts.toString());
    }
    for (String ns : List.of(H1, H2)) {
      Run pids = run(List.of("ip", "netns", "pids", ns), 10);
      for (String pid : pids.code() == 0 ? pids.out().split("\\s+") : new String[0]) {
        if (pid.matches("\\d+")) { // processes this test started in its namespaces (daemons, ranks), by id
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      run(List.of("ip", "netns", "del", ns), 10);
    }
  }

  @Test
  void fourRanksOnTwoHostsTrainLikeFourRanksOnOneHost() throws Exception {
    Path cluster = Files.createDirectories(dir.resolve("cluster"));
    Path single = Files.createDirectories(dir.resolve("single"));
    Files.writeString(cluster.resolve("c.yaml"), TrainingRuns.syntheticConfig(cluster, "classification", 3,
        "{type: cross_entropy}"));
    Files.writeString(single.resolve("c.yaml"), TrainingRuns.syntheticConfig(single, "classification", 3,
        "{type: cross_entropy}"));

    Run status = lockstepOnH1(30, "daemons", "status", "--machines", hosts.toString());
    Run two = lockstepOnH1(120, "train", "-c", cluster.resolve("c.yaml").toString(), "--np", "4", "--dev", "niodev",
        "--machines", hosts.toString(), "-q");
    TrainingRuns.Result one = TrainingRuns.train(single.resolve("c.yaml"), 4, "niodev");

    assertThat(status.code()).as(status.out()).isZero();
    assertThat(status.out()).contains("OK    daemon 10.252.0.1:40055", "OK    daemon 10.252.0.2:40055");
    assertThat(two.code()).as(two.out()).isZero();
    assertThat(one.exitCode()).as(one.output()).isZero();
    assertThat(two.out()).contains("replicas identical");
    // rank 0 alone wrote the run directory (one "r", no "r-2" from another rank)
    try (var runs = Files.list(cluster)) {
      assertThat(runs.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("c.yaml", "r");
    }
    TrainingRuns.assertSameWeights(one.runDir().resolve("model.safetensors"),
        cluster.resolve("r/model.safetensors"), 1e-6, "2 namespace hosts vs 1 host, niodev np=4");
  }

  /** The namespaces share /dev/shm, yet they are two hosts: the allreduce must go over the network (ring). */
  @Test
  void ranksOnTwoHostsDoNotShareMemory() throws Exception {
    Run bench = lockstepOnH1(120, "bench", "allreduce", "--np", "4", "--dev", "niodev", "--machines",
        hosts.toString(), "--sizes", "256K", "--algorithms", "auto");

    assertThat(bench.code()).as(bench.out()).isZero();
    assertThat(bench.out()).containsPattern("256K +\\d+\\.\\d{3} +\\d+\\.\\d{2} +\\d+ +ring\\R");
  }

  @Test
  void hybdevTwoHostsOfTwoRankThreadsTrainLikeFourRankThreadsOnOneHost() throws Exception {
    Path cluster = Files.createDirectories(dir.resolve("hyb-cluster"));
    Path single = Files.createDirectories(dir.resolve("hyb-single"));
    Files.writeString(cluster.resolve("c.yaml"), TrainingRuns.syntheticConfig(cluster, "classification", 3,
        "{type: cross_entropy}"));
    Files.writeString(single.resolve("c.yaml"), TrainingRuns.syntheticConfig(single, "classification", 3,
        "{type: cross_entropy}"));

    Run two = lockstepOnH1(120, "train", "-c", cluster.resolve("c.yaml").toString(), "--np", "4", "--dev", "hybdev",
        "--machines", hosts.toString(), "-q");
    TrainingRuns.Result one = TrainingRuns.train(single.resolve("c.yaml"), 4, "hybdev");

    assertThat(two.code()).as(two.out()).isZero();
    assertThat(one.exitCode()).as(one.output()).isZero();
    assertThat(two.out()).contains("replicas identical");
    try (var runs = Files.list(cluster)) {
      assertThat(runs.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("c.yaml", "r");
    }
    // one host sums in shared memory, two hosts through MPJ: same computation, another order of float additions
    TrainingRuns.assertSameWeights(one.runDir().resolve("model.safetensors"),
        cluster.resolve("r/model.safetensors"), 1e-5, "2 namespace hosts vs 1 host, hybdev np=4");
  }

  @Test
  void hybdevHostJvmsShareNativeJarsAndReduceCorrectlyAcrossHosts() throws Exception {
    long seed = ThreadLocalRandom.current().nextLong(1, 1L << 40);
    Run hello = launchTaskOnH1(60, 4, "hybdev", "dev.lockstep.launch.FailingTasks$Hello");
    Run check = launchTaskOnH1(120, 4, "hybdev", "dev.lockstep.comm.AllreduceCheckTask", String.valueOf(seed),
        "ring,mpj,auto", "1,7,1001," + ((1 << 20) + 3));

    assertThat(hello.code()).as(hello.out()).isZero();
    for (int r = 0; r < 4; r++) {
      // through the daemon too: JavaCPP on each host JVM's own classpath, lockstep per rank thread, no shared memory
      // (each host JVM holds two of the four ranks)
      assertThat(hello.out()).contains("hello from rank " + r + " of 4 ",
          " javacpp-on-jvm-classpath=true app-per-rank=true runs-in-this-loader=1 shm=false");
    }
    assertThat(check.code()).as("seed %d: %s", seed, check.out()).isZero();
    for (int r = 0; r < 4; r++) {
      assertThat(check.out()).as("seed %d", seed).contains("rank " + r + " of 4: allreduce ok");
    }
  }

  /** comm.compression across hosts: 16-bit values over the network, the bits of the definition on every rank. */
  @Test
  void compressedAllreduceAcrossHostsGivesEveryRankTheBitsOfTheDefinition() throws Exception {
    long seed = ThreadLocalRandom.current().nextLong(1, 1L << 40);
    Run check = launchTaskOnH1(120, 3, "niodev", "dev.lockstep.comm.CompressedAllreduceCheckTask",
        String.valueOf(seed), "ring,auto", "1,7,1001," + ((1 << 19) * 3 + 5));

    assertThat(check.code()).as("seed %d: %s", seed, check.out()).isZero();
    for (int r = 0; r < 3; r++) {
      assertThat(check.out()).as("seed %d", seed).contains("rank " + r + " of 3: compressed allreduce ok");
    }
  }

  /**
   * bf16 training on two hosts (the ring sends 16-bit values) ends with the same bits as on one host (shm_process
   * rounds around its float32 sum): both compute Compression's definition.
   */
  @Test
  void bf16TrainingOnTwoHostsEndsWithTheBitsOfOneHost() throws Exception {
    Path cluster = Files.createDirectories(dir.resolve("bf16-cluster"));
    Path single = Files.createDirectories(dir.resolve("bf16-single"));
    for (Path p : List.of(cluster, single)) {
      Files.writeString(p.resolve("c.yaml"), TrainingRuns.syntheticConfig(p, "classification", 3,
          "{type: cross_entropy}"));
    }
    Run two = lockstepOnH1(120, "train", "-c", cluster.resolve("c.yaml").toString(), "--np", "2", "--dev", "niodev",
        "--machines", hosts.toString(), "-q", "--set", "comm.compression=bf16", "--set", "update.accumulate_steps=2",
        "--set", "data.batch_size=6");
    TrainingRuns.Result one = TrainingRuns.train(single.resolve("c.yaml"), 2, "niodev", "comm.compression=bf16",
        "update.accumulate_steps=2", "data.batch_size=6");

    assertThat(two.code()).as(two.out()).isZero();
    assertThat(one.exitCode()).as(one.output()).isZero();
    assertThat(two.out()).contains("replicas identical");
    assertThat(Files.readAllBytes(cluster.resolve("r/model.safetensors")))
        .isEqualTo(Files.readAllBytes(one.runDir().resolve("model.safetensors")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"niodev", "hybdev"})
  void aHostWhoseDaemonStopsMidRunEndsTheJobWithExit3NamingHostAndRanks(String device) throws Exception {
    Path runDir = Files.createDirectories(dir.resolve("stopped-" + device));
    String config = TrainingRuns.syntheticConfig(runDir, "classification", 3, "{type: cross_entropy}")
        .replace("train_samples: 240", "train_samples: 400000").replace("epochs: 1", "epochs: 20");
    Files.writeString(runDir.resolve("c.yaml"), config);
    Path h2Only = Files.writeString(dir.resolve("h2.txt"), "10.252.0.2 netns=" + H2 + "\n");
    Path log = dir.resolve("stopped-" + device + ".log");

    Process job = new ProcessBuilder(onH1("train", "-c", runDir.resolve("c.yaml").toString(), "--np", "4", "--dev",
        device, "--machines", hosts.toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.readString(log).contains("step ") && job.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(200); // until rank 0 logs training steps: all 4 ranks run
    }
    Run stop = lockstepOnH1(60, "daemons", "stop", "--machines", h2Only.toString());
    boolean ended = job.waitFor(60, TimeUnit.SECONDS);
    String out = Files.readString(log);
    Run restart = lockstepOnH1(60, "daemons", "start", "--machines", hosts.toString()); // for the other tests

    assertThat(stop.code()).as(stop.out()).isZero();
    assertThat(ended).as(out).isTrue();
    assertThat(job.exitValue()).as(out).isEqualTo(3);
    assertThat(out).contains("lockstep: lost the MPJ daemon of host 10.252.0.2 at 10.252.0.2:40055",
        "while ranks 2, 3 ran there; stopped the other ranks");
    assertThat(restart.code()).as(restart.out()).isZero();
  }

  @Test
  void anUnreachableDaemonIsNamedByStatusAndTrain() throws Exception {
    Path wrongPort = Files.writeString(dir.resolve("wrong-port.txt"), "10.252.0.1 netns=" + H1
        + "\n10.252.0.2 port=41999 netns=" + H2 + "\n");
    Path runDir = Files.createDirectories(dir.resolve("unreachable"));
    Files.writeString(runDir.resolve("c.yaml"), TrainingRuns.syntheticConfig(runDir, "classification", 3,
        "{type: cross_entropy}"));

    Run status = lockstepOnH1(30, "daemons", "status", "--machines", wrongPort.toString());
    Run train = lockstepOnH1(60, "train", "-c", runDir.resolve("c.yaml").toString(), "--np", "4", "--dev", "niodev",
        "--machines", wrongPort.toString());

    assertThat(status.code()).as(status.out()).isEqualTo(3);
    assertThat(status.out()).contains("OK    daemon 10.252.0.1:40055",
        "FAIL  daemon 10.252.0.2:41999: unreachable at 10.252.0.2:41999");
    assertThat(train.code()).as(train.out()).isEqualTo(2);
    assertThat(train.out()).contains("cannot reach the MPJ daemon of host 10.252.0.2 at 10.252.0.2:41999 ("
        + wrongPort + " line 2)");
  }

  private record Run(int code, String out) {}

  /** {@code lockstep ARGS} on host lst-h1, with this JVM's classpath and MPJ home. */
  private static Run lockstepOnH1(int timeoutS, String... args) throws Exception {
    return run(onH1(args), timeoutS);
  }

  private static List<String> onH1(String... args) {
    return javaOnH1("dev.lockstep.Main", args);
  }

  private static List<String> javaOnH1(String mainClass, String... args) {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", H1,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-D" + MpjHome.HOME_PROPERTY + "=" + MpjHome.resolve().dir(), "-cp", cp, mainClass));
    command.addAll(List.of(args));
    return command;
  }

  /** A job of {@code np} ranks running the rank task {@code task} with {@code args}, on the two hosts. */
  private static Run launchTaskOnH1(int timeoutS, int np, String device, String task, String... args)
      throws Exception {
    List<String> all = new ArrayList<>(List.of(String.valueOf(np), device, hosts.toString(), "--task=" + task));
    all.addAll(List.of(args));
    return run(javaOnH1(LaunchTask.class.getName(), all.toArray(String[]::new)), timeoutS);
  }

  /** {@code main(np, device, machines, rank args...)}: the launcher with a test's rank task, exit code passed on. */
  static final class LaunchTask {
    public static void main(String[] a) {
      List<String> rankArgs = List.of(a).subList(3, a.length);
      System.exit(Launcher.launch(new LaunchSpec(Integer.parseInt(a[0]), a[1], Path.of(a[2]), rankArgs)));
    }
  }

  private static Run run(List<String> command, int timeoutS) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Run(124, new String(out, StandardCharsets.UTF_8) + "\n(timed out)");
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
