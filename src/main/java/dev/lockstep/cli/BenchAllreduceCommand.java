package dev.lockstep.cli;

import dev.lockstep.comm.CommAlgorithm;
import dev.lockstep.launch.AllreduceBenchTask;
import dev.lockstep.launch.LaunchSpec;
import dev.lockstep.launch.Launcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lockstep bench allreduce}: median time and bandwidth of a float allreduce per size and algorithm. */
@Command(
    name = "allreduce",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    headerHeading = "%n",
    header = "Time the float SUM allreduce of each size with each algorithm.",
    descriptionHeading = "%n",
    description = {
        "Starts --np ranks like 'train' does; each (size, algorithm) pair runs 3-1000 warm-up (32 MB) and "
            + "7-100 timed repetitions (256 MB; barrier, then allreduce). Prints one row per "
            + "size: per algorithm the median of the slowest rank's time and the algorithm bandwidth (message "
            + "bytes / time), then the algorithm auto picks there. Algorithms: shm (every rank a thread of one JVM: "
            + "multicore, or hybdev without --machines), shm_process (rank processes of one host, through "
            + "/dev/shm), ring (MPJ point-to-point), mpj (MPJ's built-in Allreduce), auto (what training uses)."},
    optionListHeading = "%nOptions:%n",
    footerHeading = "%nExamples:%n",
    footer = {
        "  lockstep bench allreduce --np 2 --dev multicore --sizes 4K,256K,4M,64M",
        "  lockstep bench allreduce --np 2 --dev niodev --sizes 4M,64M --algorithms shm_process,ring,mpj",
        "  lockstep bench allreduce --dev niodev --machines hosts.txt --algorithms ring --compression none,bf16",
        "  lockstep bench allreduce --np 4 --dev hybdev --machines hosts.txt --sizes 256K,4M"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "2:bad usage", "3:a rank failed"})
final class BenchAllreduceCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--machines", paramLabel = "FILE",
      description = "niodev or hybdev across the hosts of this machines file, through their MPJ daemons (see "
          + "'lockstep daemons').")
  java.nio.file.Path machines;

  @Option(names = "--np", paramLabel = "N", defaultValue = "2", description = "Number of ranks (default: 2).")
  int np;

  @Option(names = "--dev", paramLabel = "DEVICE", defaultValue = "multicore",
      description = "multicore (threads of one JVM), niodev (one process per rank) or hybdev (one JVM per host, "
          + "its ranks threads); default: multicore.")
  String device;

  @Option(names = "--sizes", paramLabel = "SIZES", defaultValue = "4K,256K,4M,64M",
      description = "Message sizes in bytes, comma-separated, with K/M/G suffixes (binary; 7.1M allowed); "
          + "default: ${DEFAULT-VALUE}.")
  String sizes;

  @Option(names = "--algorithms", paramLabel = "ALGS",
      description = "Comma-separated subset of auto, shm, shm_process, ring, mpj (default: shm,ring,mpj on "
          + "multicore and hybdev on one host, shm_process,ring,mpj on niodev, ring,mpj with --machines).")
  String algorithms;

  @Option(names = "--compression", paramLabel = "FORMATS", defaultValue = "none",
      description = "Comma-separated subset of none, bf16, fp16 (comm.compression: 16-bit payloads, float32 sums); "
          + "each algorithm gets a column per format. Default: ${DEFAULT-VALUE}.")
  String compression;

  @Option(names = "--json",
      description = "One JSON object per size, algorithm and compression instead of the table: bytes, algorithm, "
          + "compression, median_ms, gb_per_s, reps, auto_picks (the algorithm auto uses at that size), np, device.")
  boolean json;

  @Override
  public Integer call() {
    if (np < 1) {
      throw usage("--np must be at least 1, got " + np);
    }
    if (!device.equals("multicore") && !device.equals("niodev") && !device.equals("hybdev")) {
      throw usage("--dev must be multicore, niodev or hybdev (got '" + device + "')");
    }
    // every rank a thread of one JVM (a machines file naming other hosts spreads hybdev over several JVMs)
    boolean sharedMemory = device.equals("multicore") || device.equals("hybdev") && machines == null;
    List<String> algs = algorithms == null ? AllreduceBenchTask.algorithmsFor(sharedMemory, machines != null)
        : List.of(algorithms.split(","));
    for (String a : algs) {
      if (!CommAlgorithm.NAMES.contains(a)) {
        throw usage("--algorithms: unknown algorithm '" + a + "'; expected some of " + CommAlgorithm.NAMES);
      }
      if (a.equals("shm") && !sharedMemory) {
        throw usage("--algorithms: shm needs --dev multicore, or hybdev without --machines (ranks that are threads"
            + " of one JVM)");
      }
    }
    for (String c : compression.split(",")) {
      if (!dev.lockstep.config.ConfigValidator.COMPRESSIONS.contains(c)) {
        throw usage("--compression: unknown format '" + c + "'; expected some of "
            + dev.lockstep.config.ConfigValidator.COMPRESSIONS);
      }
    }
    List<String> bytes = new ArrayList<>();
    for (String s : sizes.split(",")) {
      bytes.add(String.valueOf(parseBytes(s.trim())));
    }
    List<String> args = new ArrayList<>(List.of("--task=" + AllreduceBenchTask.class.getName(),
        String.join(",", bytes), String.join(",", algs), compression));
    if (json) {
      args.add(AllreduceBenchTask.JSON);
      args.add(device);
    }
    return Launcher.launch(new LaunchSpec(np, device, machines == null ? null : machines.toAbsolutePath(), args));
  }

  long parseBytes(String s) {
    String t = s.toUpperCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) {
      unit = switch (t.charAt(t.length() - 1)) {
        case 'K' -> 1L << 10;
        case 'M' -> 1L << 20;
        default -> 1L << 30;
      };
      t = t.substring(0, t.length() - 1);
    }
    try {
      double v = Double.parseDouble(t) * unit;
      if (!(v >= 4) || v > (double) Integer.MAX_VALUE) {
        throw usage("--sizes: '" + s + "' must be between 4 bytes and 2G");
      }
      return Math.round(v / 4) * 4;
    } catch (NumberFormatException e) {
      throw usage("--sizes: '" + s + "' is not a size (e.g. 4K, 7.1M, 64M)");
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
