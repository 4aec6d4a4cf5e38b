package dev.lockstep.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Debian's libmpj-java, turned into a working MPJ home. Its jars must be copied, not linked: their manifests' relative
 * Class-Path entries (log4j-1.2.jar, commons-*.jar, runtimecommon.jar) must resolve beside the real files.
 *
 * @param mpjLib the package's jar directory (/usr/share/mpj/lib)
 * @param javaDir where Debian keeps the jars MPJ needs but does not ship (/usr/share/java)
 * @param conf MPJ's configuration file (/etc/mpj/mpjexpress.conf)
 */
record DebianMpj(Path mpjLib, Path javaDir, Path conf) {
  static final DebianMpj INSTALLED = under(Path.of("/"));

  /**
   * System property: the file-system root under which the Debian package is looked for (default {@code /}); a
   * relocated or chroot install, or a test that needs "Debian's MPJ is not installed" ({@code lockstep doctor}).
   */
  static final String ROOT_PROPERTY = "lockstep.mpj.debian.root";

  /** Debian's MPJ below {@link #ROOT_PROPERTY} (normally the real one, {@link #INSTALLED}). */
  static DebianMpj installed() {
    String root = System.getProperty(ROOT_PROPERTY);
    return root == null || root.isBlank() ? INSTALLED : under(Path.of(root));
  }

  private static DebianMpj under(Path root) {
    return new DebianMpj(root.resolve("usr/share/mpj/lib"), root.resolve("usr/share/java"),
        root.resolve("etc/mpj/mpjexpress.conf"));
  }

  /**
   * Why Debian's own {@code /usr/bin/mpjrun} cannot start a job, if it is installed and broken: its starter.jar's
   * manifest names log4j-1.2.jar beside the real jar, which Debian does not put there (mpj-notes.md). Empty when
   * mpjrun is absent or its log4j resolves.
   */
  Optional<String> mpjrunProblem(Path mpjrun) {
    Path starter = mpjLib.resolve("starter.jar");
    if (!Files.isRegularFile(mpjrun) || !Files.isRegularFile(starter)) {
      return Optional.empty();
    }
    try (JarFile jar = new JarFile(starter.toRealPath().toFile())) {
      Manifest manifest = jar.getManifest();
      String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
      if (classPath == null) {
        return Optional.empty();
      }
      Path realDir = starter.toRealPath().getParent();
      for (String entry : classPath.trim().split("\\s+")) {
        if (entry.startsWith("log4j") && !Files.exists(realDir.resolve(entry))) {
          return Optional.of(mpjrun + " is Debian's broken one: its " + realDir.resolve("starter.jar")
              + " needs " + realDir.resolve(entry) + ", which is missing (NoClassDefFoundError: "
              + "org/apache/log4j/Layout)");
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot read " + starter + ": " + e.getMessage());
    }
  }

  /** Third-party jars MPJ's manifests refer to, which Debian keeps outside the MPJ directory. */
  private static final List<String> DEPENDENCY_JARS =
      List.of("log4j-1.2.jar", "commons-cli.jar", "commons-codec.jar", "commons-io.jar");

  /**
   * Builds the home at {@code home} unless it is already there. Concurrent JVMs (parallel test forks, two launches)
   * each build in a private temporary directory and rename it into place, so none ever sees half a home.
   */
  void assemble(Path home) {
    if (!Files.isRegularFile(mpjLib.resolve("starter.jar")) || !Files.isRegularFile(mpjLib.resolve("mpj.jar"))) {
      throw LaunchException.usage(
          "MPJ Express is not installed (no " + mpjLib + "/starter.jar): install Debian's libmpj-java or set MPJ_HOME");
    }
    for (String jar : DEPENDENCY_JARS) {
      if (!Files.isRegularFile(javaDir.resolve(jar))) {
        throw LaunchException.usage("MPJ Express needs " + javaDir.resolve(jar)
            + ", which is missing: install Debian's libmpj-java (it depends on it) or set MPJ_HOME");
      }
    }
    Path temp = null;
    try {
      Path parent = home.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      temp = Files.createTempDirectory(parent, home.getFileName() + ".tmp-");
      Path lib = Files.createDirectory(temp.resolve("lib"));
      try (Stream<Path> jars = Files.list(mpjLib)) {
        for (Path jar : jars.filter(p -> p.getFileName().toString().endsWith(".jar")).toList()) {
          copyResolved(jar, lib.resolve(jar.getFileName()));
        }
      }
      for (String jar : DEPENDENCY_JARS) {
        copyResolved(javaDir.resolve(jar), lib.resolve(jar));
      }
      Path confDir = Files.createDirectory(temp.resolve("conf"));
      if (Files.isRegularFile(conf)) {
        copyResolved(conf, confDir.resolve("mpjexpress.conf"));
      } else {
        Files.writeString(confDir.resolve("mpjexpress.conf"), DEFAULT_CONF, StandardOpenOption.CREATE_NEW);
      }
      writeMpjrunScript(temp);
      moveIntoPlace(temp, home);
    } catch (IOException e) {
      throw LaunchException.usage("cannot assemble an MPJ home at " + home + ": " + e);
    } finally {
      if (temp != null) {
        deleteTree(temp);
      }
    }
  }

  /** Relative path of MPJ's launch script in a home, as in an official MPJ Express install. */
  static final String MPJRUN_SCRIPT = "bin/mpjrun.sh";

  /**
   * MPJ Express's {@code bin/mpjrun.sh} for an assembled home (Debian ships none that works): runs MPJ's starter with
   * {@code MPJ_HOME} set to this home, so {@code <home>/bin/mpjrun.sh -np 2 -dev multicore -jar lockstep.jar ...} works
   * as with an official install.
   */
  private static final String MPJRUN_SH = """
      #!/bin/sh
      # MPJ Express's mpjrun.sh for this MPJ home, assembled by lockstep from Debian's libmpj-java.
      MPJ_HOME=$(cd "$(dirname "$0")/.." && pwd)
      export MPJ_HOME
      exec java -jar "$MPJ_HOME/lib/starter.jar" "$@"
      """;

  /**
   * Writes {@link #MPJRUN_SCRIPT} into {@code home} unless it is there (a home assembled before lockstep wrote one);
   * through a temporary file and a rename, so a concurrent reader never sees half a script.
   */
  static void writeMpjrunScript(Path home) throws IOException {
    Path script = home.resolve(MPJRUN_SCRIPT);
    if (Files.isRegularFile(script)) {
      return;
    }
    Files.createDirectories(script.getParent());
    Path temp = Files.createTempFile(script.getParent(), "mpjrun.sh.tmp-", "");
    try {
      Files.writeString(temp, MPJRUN_SH);
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.move(temp, script, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void copyResolved(Path source, Path target) throws IOException {
    Files.copy(source.toRealPath(), target, StandardCopyOption.COPY_ATTRIBUTES);
  }

  private static void moveIntoPlace(Path temp, Path home) throws IOException {
    try {
      Files.move(temp, home, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) { // another JVM's complete home is fine; anything else in the way is not
      if (!MpjHome.isUsable(home)) {
        throw new IOException("cannot rename " + temp + " to " + home + " (" + e + "); remove " + home, e);
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // a leftover temporary directory is harmless
    }
  }

  /** Used only when /etc/mpj/mpjexpress.conf is missing: the values MPJ 0.44 ships with. */
  private static final String DEFAULT_CONF = """
      mpjexpress.mpjdaemon.port.1=40055
      mpjexpress.mpjdaemon.port.2=40052
      mpjexpress.mpjrun.port.1=40002
      mpjexpress.mpjdaemon.loglevel=OFF
      mpjexpress.mpjrun.loglevel=OFF
      mpjexpress.mpi.loglevel=OFF
      mpjexpress.version=0.44
      mpjexpress.mpi.old.collectives=false
      """;
}
