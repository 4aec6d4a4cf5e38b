package dev.lockstep.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The command lines of rank JVMs: what MPJ's own starters would run, with lockstep's classpath split applied. */
final class RankCommands {
  /** Main class of every rank: the same entry point users give mpjrun.sh. */
  static final String MAIN_CLASS = "dev.lockstep.Main";
  /** Extra JVM options for rank JVMs (e.g. -Xmx16g), split on whitespace. */
  static final String JAVA_OPTS_ENV = "LOCKSTEP_RANK_JAVA_OPTS";

  private final Path java;
  private final List<String> javaOptions;
  private final MpjHome home;
  private final RankClasspath classpath;

  RankCommands(Path java, List<String> javaOptions, MpjHome home, RankClasspath classpath) {
    this.java = java;
    this.javaOptions = List.copyOf(javaOptions);
    this.home = home;
    this.classpath = classpath;
  }

  /** The rank JVMs' options ({@value #JAVA_OPTS_ENV}). */
  List<String> javaOptions() {
    return javaOptions;
  }

  static RankCommands forThisJvm(MpjHome home, RankClasspath classpath) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String opts = System.getenv(JAVA_OPTS_ENV);
    List<String> options = opts == null || opts.isBlank() ? List.of() : Arrays.asList(opts.trim().split("\\s+"));
    return new RankCommands(java, options, home, classpath);
  }

  /**
   * One JVM running MPJ's MulticoreStarter: MPJ's device jars and the native-bearing jars on the JVM classpath
   * (loaded once, shared by all rank threads); the app entries handed to the starter, which gives each rank thread its
   * own class loader over them plus mpi.jar and mpjdev.jar. The shared-classes jar ({@link SharedClasses}) joins the
   * JVM classpath too, so the rank threads meet in one copy of the shared-memory collectives. Arguments: wdir, np, device ("smpdev" is multicore's
   * device), loader, app classpath, main class, app args.
   */
  List<String> multicore(int np, Path workDir, List<String> rankArgs) {
    List<Path> jvmClasspath = new ArrayList<>(home.multicoreJvmJars());
    jvmClasspath.addAll(classpath.shared());
    jvmClasspath.add(SharedClasses.jar(home)); // the shared-memory collectives: one copy for all rank threads
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(javaOptions);
    command.add("-cp");
    command.add(RankClasspath.join(jvmClasspath));
    command.add("runtime.starter.MulticoreStarter");
    command.add(workDir.toString());
    command.add(String.valueOf(np));
    command.add("smpdev");
    command.add("useLocalLoader");
    command.add(classpath.app().isEmpty() ? "EMPTY" : RankClasspath.join(classpath.app()));
    command.add(MAIN_CLASS);
    command.addAll(rankArgs);
    return command;
  }

  /** MPJ's starter of a hybdev host JVM: runs its ranks as threads, each with its own class loader (as multicore). */
  static final String HYBRID_STARTER = "runtime.daemon.HybridStarter";

  /**
   * The JVM classpath of a hybdev host: MPJ's device jars, the native-bearing jars and the shared-classes jar, as for
   * multicore. What a ticket for MPJ's daemon passes as {@code --class-path} (see {@link DaemonTicket#hybdev}).
   */
  List<Path> hybdevJvmClasspath() {
    List<Path> jvmClasspath = new ArrayList<>(home.hybdevJvmJars());
    jvmClasspath.addAll(classpath.shared());
    jvmClasspath.add(SharedClasses.jar(home)); // the shared-memory collectives, used when all ranks are threads here
    return jvmClasspath;
  }

  /** The app classpath each rank thread's class loader gets (MPJ's "EMPTY" when there is none). */
  String appClasspath() {
    return classpath.app().isEmpty() ? "EMPTY" : RankClasspath.join(classpath.app());
  }

  /**
   * One hybdev host JVM on this machine, as MPJ's daemon would start it: {@code HybridStarter wdir threads hybdev
   * useLocalLoader <app classpath> Main <np> <hosts> <host index> <niodev config> niodev app-args}. Its {@code
   * threads} ranks are ranks {@code first..first+threads-1} of {@code np} (MPJ's hybdev placement, see
   * {@link DaemonJob#hybdevPlacement}); between hosts they talk over niodev, whose {@code hosts} processes (one per
   * host) meet at the rendezvous {@code config} names. MPI.Init strips the eight MPJ arguments before app-args.
   */
  List<String> hybdevHost(int threads, int np, int hosts, int hostIndex, String config, Path workDir,
      List<String> rankArgs) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(javaOptions);
    command.add("-cp");
    command.add(RankClasspath.join(hybdevJvmClasspath()));
    command.add(HYBRID_STARTER);
    command.add(workDir.toString());
    command.add(String.valueOf(threads));
    command.add("hybdev");
    command.add("useLocalLoader");
    command.add(appClasspath());
    command.add(MAIN_CLASS);
    command.addAll(hybdevDeviceArgs(np, hosts, hostIndex, config));
    command.addAll(rankArgs);
    return command;
  }

  /** HYBDevice's own arguments: total ranks, niodev processes (hosts), this host's niodev rank, config, "niodev". */
  static List<String> hybdevDeviceArgs(int np, int hosts, int hostIndex, String config) {
    // HybridStarter turns '|' back into ' ' in the config (MPJ's daemon passes it with spaces replaced)
    return List.of(String.valueOf(np), String.valueOf(hosts), String.valueOf(hostIndex), config.replace(' ', '|'),
        "niodev");
  }

  /** The classpath of a niodev rank JVM: everything, MPJ's mpj.jar included (one rank per JVM). */
  List<Path> niodevClasspath() {
    List<Path> jvmClasspath = new ArrayList<>(classpath.app());
    jvmClasspath.addAll(classpath.shared());
    jvmClasspath.addAll(home.processRankJars());
    return jvmClasspath;
  }

  /** One niodev rank process, as MPJ's daemon would start it: {@code Main <rank> '<config>' niodev app-args}. */
  List<String> niodevRank(int rank, String config, List<String> rankArgs) {
    List<Path> jvmClasspath = niodevClasspath();
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(javaOptions);
    command.add("-cp");
    command.add(RankClasspath.join(jvmClasspath));
    command.add(MAIN_CLASS);
    command.add(String.valueOf(rank));
    command.add(config);
    command.add("niodev");
    command.addAll(rankArgs);
    return command;
  }
}
