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

  /** One niodev rank process, as MPJ's daemon would start it: {@code Main <rank> '<config>' niodev app-args}. */
  List<String> niodevRank(int rank, String config, List<String> rankArgs) {
    List<Path> jvmClasspath = new ArrayList<>(classpath.app());
    jvmClasspath.addAll(classpath.shared());
    jvmClasspath.addAll(home.processRankJars());
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
