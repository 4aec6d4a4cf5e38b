package dev.lockstep.launch;

import dev.lockstep.comm.shm.SharedMemoryGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The jar of classes that multicore rank threads must share: {@code dev.lockstep.comm.shm} (the shared-memory
 * collectives). It goes on the multicore JVM's own classpath; every rank's class loader asks its parent first, so
 * all ranks get this one copy even though the same classes also sit in their own app classpath.
 *
 * <p>The jar is extracted from wherever this JVM loaded the package (target/classes or lockstep.jar), named by a
 * hash of its content so that concurrent launches and rebuilds never see a half-written or stale jar.
 */
final class SharedClasses {
  static final String PACKAGE_DIR = SharedMemoryGroup.class.getPackageName().replace('.', '/') + "/";

  private SharedClasses() {}

  /** The shared jar under {@code <MPJ home>/lockstep}, or the temp dir when the home is read-only. */
  static Path jar(MpjHome home) {
    Map<String, byte[]> classes = classesOfPackage();
    byte[] jar = jarBytes(classes);
    String name = "lockstep-shared-" + HexFormat.of().formatHex(sha256(jar), 0, 8) + ".jar";
    for (Path dir : new Path[] {home.dir().resolve("lockstep"), Path.of(System.getProperty("java.io.tmpdir"))}) {
      Path target = dir.resolve(name);
      if (Files.isRegularFile(target)) {
        return target;
      }
      try {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, name, ".part");
        Files.write(tmp, jar);
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
      } catch (IOException e) {
        // try the next place
      }
    }
    throw LaunchException.usage("cannot write the shared-classes jar " + name + " under " + home.dir()
        + "/lockstep or " + System.getProperty("java.io.tmpdir"));
  }

  /** Every .class file of the package, by entry name, from a classes directory or a jar. */
  static Map<String, byte[]> classesOfPackage() {
    Path source = codeSource();
    Map<String, byte[]> classes = new TreeMap<>(); // sorted: the jar's bytes (and hash) are reproducible
    try {
      if (Files.isDirectory(source)) {
        Path dir = source.resolve(PACKAGE_DIR);
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
            classes.put(PACKAGE_DIR + f.getFileName(), Files.readAllBytes(f));
          }
        }
      } else {
        try (JarFile jar = new JarFile(source.toFile())) {
          for (JarEntry e : jar.stream().toList()) {
            String n = e.getName();
            if (n.startsWith(PACKAGE_DIR) && n.endsWith(".class") && n.indexOf('/', PACKAGE_DIR.length()) < 0) {
              try (InputStream in = jar.getInputStream(e)) {
                classes.put(n, in.readAllBytes());
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw LaunchException.usage("cannot read the shared classes from " + source + ": " + e.getMessage());
    }
    if (classes.isEmpty()) {
      throw LaunchException.usage("no classes of " + PACKAGE_DIR + " found in " + source);
    }
    return classes;
  }

  private static Path codeSource() {
    CodeSource cs = SharedMemoryGroup.class.getProtectionDomain().getCodeSource();
    try {
      return Path.of(cs.getLocation().toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw LaunchException.usage("cannot locate the classes of " + PACKAGE_DIR);
    }
  }

  private static byte[] jarBytes(Map<String, byte[]> classes) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream out = new JarOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> c : classes.entrySet()) {
        JarEntry entry = new JarEntry(c.getKey());
        entry.setTime(0); // reproducible bytes
        out.putNextEntry(entry);
        out.write(c.getValue());
        out.closeEntry();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e); // in memory: cannot happen
    }
    return bytes.toByteArray();
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
