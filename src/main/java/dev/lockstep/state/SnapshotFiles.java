package dev.lockstep.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/** Byte-level helpers of the snapshot format: little-endian float files, SHA-256, fsync, recursive delete. */
final class SnapshotFiles {
  static final String MANIFEST = "manifest.json";
  static final String MANIFEST_SHA256 = "manifest.sha256";
  static final String WEIGHTS = "weights.f32";
  static final String BUFFERS = "buffers.f32";
  static final String CONFIG = "config.yaml";
  static final String PREFIX = "step-";

  private SnapshotFiles() {}

  static String dirName(long step) {
    return String.format("%s%06d", PREFIX, step);
  }

  static String optimizerFile(int i) {
    return "optimizer-" + i + ".f32";
  }

  /** The step a directory name stands for, or -1 when it is not {@code step-NNNNNN}. */
  static long stepOf(Path dir) {
    String name = dir.getFileName().toString();
    if (!name.startsWith(PREFIX) || name.length() <= PREFIX.length()) {
      return -1;
    }
    String digits = name.substring(PREFIX.length());
    return digits.chars().allMatch(Character::isDigit) && digits.length() < 19 ? Long.parseLong(digits) : -1;
  }

  static byte[] littleEndian(float[] values) {
    ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return buf.array();
  }

  static float[] floats(byte[] bytes) {
    float[] values = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return values;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes a new file and forces it to the device before returning. */
  static void writeDurably(Path file, byte[] content) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
  }

  /** Makes a directory's entries (creations, renames) durable. */
  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // best effort: a leftover hidden directory is cleaned up by the next write
    }
  }
}
