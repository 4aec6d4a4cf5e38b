package dev.lockstep.launch;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The launcher JVM's classpath split for the ranks.
 *
 * <p>{@code shared}: jars that carry native libraries (JavaCPP, OpenBLAS, CUDA). A native library can be loaded by
 * one class loader per JVM only, so under multicore they go on the JVM's own classpath, loaded once for all rank
 * threads. {@code app}: everything else (lockstep's classes, picocli, Jackson, test classes in tests), which each
 * multicore rank loads in its own class loader so that its static state is its own. MPJ's jars are dropped: the
 * launcher adds the ones each device needs from the MPJ home.
 */
public record RankClasspath(List<Path> shared, List<Path> app) {
  private static final List<String> NATIVE_JAR_PREFIXES = List.of("javacpp", "openblas", "cuda");

  public RankClasspath {
    shared = List.copyOf(shared);
    app = List.copyOf(app);
  }

  /** This JVM's classpath, partitioned. */
  public static RankClasspath ofThisJvm() {
    return partition(thisJvmEntries());
  }

  /**
   * The entries this JVM was started with. Surefire starts tests from a manifest-only booter jar and reports the real
   * test classpath in {@code surefire.test.class.path}; {@code java -jar lockstep.jar} gives a single jar whose
   * manifest Class-Path names the rest.
   */
  static List<Path> thisJvmEntries() {
    return entries(System.getProperty("surefire.test.class.path"), System.getProperty("java.class.path", ""));
  }

  static List<Path> entries(String surefireTestClassPath, String javaClassPath) {
    String raw = surefireTestClassPath != null && !surefireTestClassPath.isBlank()
        ? surefireTestClassPath
        : javaClassPath;
    List<Path> entries = split(raw);
    if (entries.size() == 1 && entries.get(0).toString().endsWith(".jar")) {
      entries = withManifestClassPath(entries.get(0));
    }
    return entries;
  }

  static RankClasspath partition(List<Path> entries) {
    List<Path> shared = new ArrayList<>();
    List<Path> app = new ArrayList<>();
    for (Path entry : entries) {
      Path abs = entry.toAbsolutePath().normalize();
      if (isMpjJar(abs) || shared.contains(abs) || app.contains(abs)) {
        continue;
      }
      (isNativeJar(abs) ? shared : app).add(abs);
    }
    return new RankClasspath(shared, app);
  }

  static boolean isNativeJar(Path entry) {
    String name = entry.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".jar") && NATIVE_JAR_PREFIXES.stream().anyMatch(name::startsWith);
  }

  /** mpj.jar, mpi.jar, mpjdev.jar, mpiExp.jar, mpj-0.44.jar (the build's copy) and anything from an MPJ lib dir. */
  static boolean isMpjJar(Path entry) {
    String name = entry.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!name.endsWith(".jar")) {
      return false;
    }
    if (name.startsWith("mpj") || name.startsWith("mpi")) {
      return true;
    }
    Path dir = entry.getParent();
    return dir != null && dir.getFileName() != null && dir.getFileName().toString().equals("lib")
        && Files.isRegularFile(dir.resolve("starter.jar"));
  }

  static List<Path> split(String classpath) {
    return Arrays.stream(classpath.split(File.pathSeparator))
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .toList();
  }

  static String join(List<Path> entries) {
    return String.join(File.pathSeparator, entries.stream().map(Path::toString).toList());
  }

  private static List<Path> withManifestClassPath(Path jar) {
    List<Path> entries = new ArrayList<>();
    entries.add(jar);
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      if (classPath != null) {
        Path base = jar.toAbsolutePath().getParent();
        for (String item : classPath.trim().split("\\s+")) {
          entries.add(base.resolve(item));
        }
      }
    } catch (IOException e) {
      // not a readable jar: use it as it is
    }
    return entries;
  }
}
