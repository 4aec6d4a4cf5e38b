package dev.lockstep.launch;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A usable MPJ Express home ({@code lib/*.jar}, {@code conf/mpjexpress.conf}): the user's {@code $MPJ_HOME}, or one
 * lockstep assembles from Debian's {@code libmpj-java} (whose own layout does not run, see mpj-notes.md).
 */
public final class MpjHome {
  /** System property naming where to find or assemble the home (the build sets it to target/mpj-home for tests). */
  public static final String HOME_PROPERTY = "lockstep.mpj.home";

  /** The jars MPJ's multicore starter puts on its child JVM's classpath (runtime.starter.MulticoreDaemon). */
  private static final List<String> MULTICORE_JVM_JARS =
      List.of("starter.jar", "smpdev.jar", "xdev.jar", "mpjbuf.jar", "loader2.jar", "mpiExp.jar", "runtimecommon.jar");
  /**
   * The jars MPJ's daemon puts on a hybdev host JVM's classpath (ProcessArgumentsManager.GetHybridDeviceArguments):
   * the hybrid, shared-memory and NIO devices and loader2.jar, which holds runtime.daemon.HybridStarter.
   */
  private static final List<String> HYBDEV_JVM_JARS = List.of("hybdev.jar", "xdev.jar", "smpdev.jar", "niodev.jar",
      "mpjbuf.jar", "loader2.jar", "mpiExp.jar", "runtimecommon.jar");

  private final Path dir;

  private MpjHome(Path dir) {
    this.dir = dir;
  }

  /** The home for this JVM: $MPJ_HOME, else -Dlockstep.mpj.home, else mpj-home beside lockstep.jar (assembled). */
  public static MpjHome resolve() {
    return explain().orThrow();
  }

  static MpjHome resolve(Map<String, String> env, String homeProperty, Path besideJar, DebianMpj debian) {
    return explain(env, homeProperty, besideJar, debian).orThrow();
  }

  /**
   * How the home was found, for {@code lockstep doctor}: the home and where it came from, or why there is none
   * ({@code failure}), and a warning when $MPJ_HOME was set but unusable (also printed to stderr, as every launch
   * does).
   */
  public record Resolution(MpjHome home, String source, List<String> warnings, LaunchException failure) {
    MpjHome orThrow() {
      if (failure != null) {
        throw failure;
      }
      return home;
    }
  }

  /** As {@link #resolve()}, saying how, or why there is no home; never throws. */
  public static Resolution explain() {
    return explain(System.getenv(), System.getProperty(HOME_PROPERTY), defaultHomeBesideJar(), DebianMpj.installed());
  }

  static Resolution explain(Map<String, String> env, String homeProperty, Path besideJar, DebianMpj debian) {
    List<String> warnings = new ArrayList<>();
    String fromEnv = env.get("MPJ_HOME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      Path candidate = Path.of(fromEnv).toAbsolutePath().normalize();
      if (isUsable(candidate)) {
        return new Resolution(new MpjHome(candidate), "$MPJ_HOME", warnings, null);
      }
      String warning = "ignoring MPJ_HOME=" + fromEnv + " (it has no lib/starter.jar or lib/mpj.jar)";
      System.err.println("lockstep: " + warning);
      warnings.add(warning);
    }
    Path home = (homeProperty != null && !homeProperty.isBlank()) ? Path.of(homeProperty) : besideJar;
    home = home.toAbsolutePath().normalize();
    String source = "assembled earlier by lockstep";
    if (!isUsable(home)) {
      try {
        debian.assemble(home);
      } catch (LaunchException e) {
        return new Resolution(null, "none", warnings, e);
      }
      source = "assembled just now by lockstep from Debian's libmpj-java (" + debian.mpjLib() + ")";
    }
    try { // homes assembled by earlier versions have no bin/mpjrun.sh
      DebianMpj.writeMpjrunScript(home);
    } catch (IOException e) {
      warnings.add("cannot write " + home.resolve(DebianMpj.MPJRUN_SCRIPT) + ": " + e.getMessage());
    }
    return new Resolution(new MpjHome(home), source, warnings, null);
  }

  static MpjHome at(Path dir) {
    if (!isUsable(dir)) {
      throw LaunchException.usage("not an MPJ Express home (no lib/starter.jar or lib/mpj.jar): " + dir);
    }
    return new MpjHome(dir.toAbsolutePath().normalize());
  }

  static boolean isUsable(Path home) {
    return Files.isRegularFile(home.resolve("lib/starter.jar")) || Files.isRegularFile(home.resolve("lib/mpj.jar"));
  }

  public Path dir() {
    return dir;
  }

  public Path lib(String jarName) {
    return dir.resolve("lib").resolve(jarName);
  }

  /**
   * Classpath of the multicore JVM: MPJ's starter and shared device jars, never mpi.jar/mpjdev.jar/mpj.jar (each
   * rank's class loader adds those, so every rank has its own MPI state). log4j is named explicitly because an
   * official MPJ install names its jar with a version the manifests may not match.
   */
  public List<Path> multicoreJvmJars() {
    return deviceJars(MULTICORE_JVM_JARS, "multicore");
  }

  /**
   * Classpath of a hybdev host JVM (one per host; its ranks are threads): MPJ's device jars and HybridStarter, never
   * mpi.jar/mpjdev.jar/mpj.jar, which HybridStarter gives each rank thread's own class loader, as multicore does.
   */
  public List<Path> hybdevJvmJars() {
    return deviceJars(HYBDEV_JVM_JARS, "hybdev");
  }

  private List<Path> deviceJars(List<String> names, String device) {
    List<Path> jars = new ArrayList<>();
    for (String name : names) {
      Path jar = lib(name);
      if (Files.isRegularFile(jar)) {
        jars.add(jar);
      } else if (!name.equals("runtimecommon.jar")) {
        throw LaunchException.usage("MPJ home " + dir + " lacks lib/" + name + " (needed by the " + device
            + " device)");
      }
    }
    jars.addAll(log4jJars());
    return jars;
  }

  /** Classpath MPJ adds to a niodev/hybdev rank process: mpj.jar (all of MPI and the network devices) and log4j. */
  public List<Path> processRankJars() {
    Path mpj = lib("mpj.jar");
    if (!Files.isRegularFile(mpj)) {
      throw LaunchException.usage("MPJ home " + dir + " lacks lib/mpj.jar (needed by niodev)");
    }
    List<Path> jars = new ArrayList<>();
    jars.add(mpj);
    jars.addAll(log4jJars());
    return jars;
  }

  private List<Path> log4jJars() {
    try (var files = Files.list(dir.resolve("lib"))) {
      return files.filter(p -> p.getFileName().toString().startsWith("log4j")).sorted().toList();
    } catch (IOException e) {
      throw LaunchException.usage("cannot list " + dir.resolve("lib") + ": " + e.getMessage());
    }
  }

  /** target/mpj-home when running from target/lockstep.jar or target/classes. */
  private static Path defaultHomeBesideJar() {
    CodeSource source = MpjHome.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Path.of("mpj-home");
    }
    try {
      Path jarOrClasses = Path.of(source.getLocation().toURI());
      Path parent = jarOrClasses.getParent();
      return (parent != null ? parent : jarOrClasses).resolve("mpj-home");
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Path.of("mpj-home");
    }
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}
