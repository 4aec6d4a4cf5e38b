package dev.lockstep.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.nn.LayerRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds and reads snapshots written by {@link SnapshotWriter}, refusing (with {@link SnapshotException}, saying what
 * is wrong) anything missing, truncated or altered: every file's size and SHA-256 must match the manifest.
 */
public final class SnapshotReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SnapshotReader() {}

  /**
   * The snapshot a {@code --resume} path means: a snapshot directory itself (it has manifest.json), or a run
   * directory, whose newest {@code checkpoints/step-NNNNNN} is taken.
   */
  public static Path locate(Path runOrSnapshot) {
    if (Files.isRegularFile(runOrSnapshot.resolve(SnapshotFiles.MANIFEST))) {
      return runOrSnapshot;
    }
    Path checkpoints = runOrSnapshot.resolve("checkpoints");
    if (!Files.isDirectory(runOrSnapshot)) {
      throw new SnapshotException("--resume: no such directory: " + runOrSnapshot);
    }
    if (!Files.isDirectory(checkpoints)) {
      throw new SnapshotException("--resume: " + runOrSnapshot + " is neither a snapshot (no manifest.json) nor a "
          + "run directory with snapshots (no checkpoints/)");
    }
    List<Path> all = list(checkpoints);
    if (all.isEmpty()) {
      throw new SnapshotException("--resume: " + checkpoints + " holds no snapshot (step-NNNNNN/)");
    }
    return all.get(all.size() - 1);
  }

  /** The run directory a snapshot belongs to: {@code <run dir>/checkpoints/step-NNNNNN}. */
  public static Path runDirectoryOf(Path snapshotDir) {
    Path abs = snapshotDir.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    if (parent == null || !parent.getFileName().toString().equals("checkpoints") || parent.getParent() == null) {
      throw new SnapshotException("--resume: " + snapshotDir + " is not inside a run's checkpoints/ directory, "
          + "so there is no run directory to continue");
    }
    return parent.getParent();
  }

  /** Snapshot directories under {@code checkpointsDir}, oldest step first (hidden temporary ones excluded). */
  static List<Path> list(Path checkpointsDir) {
    try (Stream<Path> dirs = Files.list(checkpointsDir)) {
      return SnapshotWriter.sortedByStep(dirs.filter(Files::isDirectory));
    } catch (IOException e) {
      throw new SnapshotException("cannot list " + checkpointsDir + ": " + e.getMessage(), e);
    }
  }

  /** Reads and verifies the snapshot in {@code dir}. */
  public static Snapshot read(Path dir) {
    JsonNode m = manifest(dir);
    long parameters = number(dir, m, "parameters");
    float[] weights = floats(dir, m, SnapshotFiles.WEIGHTS, parameters);
    JsonNode optimizer = field(dir, m, "optimizer");
    List<float[]> state = new ArrayList<>();
    for (JsonNode f : field(dir, optimizer, "state")) {
      state.add(floats(dir, m, f.asText(), parameters));
    }
    float[] buffers = m.has("buffers") ? floats(dir, m, SnapshotFiles.BUFFERS, number(dir, m, "buffers"))
        : new float[0];
    String config = new String(verified(dir, m, SnapshotFiles.CONFIG), StandardCharsets.UTF_8);
    List<LayerRange> layers = new ArrayList<>();
    for (JsonNode l : field(dir, m, "layers")) {
      layers.add(new LayerRange((int) number(dir, l, "index"), field(dir, l, "name").asText(),
          number(dir, l, "offset"), number(dir, l, "length")));
    }
    JsonNode lr = field(dir, m, "lr_schedule");
    TrainingPosition position;
    try {
      position = new TrainingPosition(number(dir, m, "step"), (int) number(dir, m, "epoch"),
          (int) number(dir, m, "step_in_epoch"), (int) number(dir, m, "ranks"), (int) number(dir, m, "batch_per_rank"));
    } catch (IllegalArgumentException e) {
      throw new SnapshotException(dir.resolve(SnapshotFiles.MANIFEST) + ": " + e.getMessage());
    }
    String hash = field(dir, m, "config_hash").asText();
    if (!hash.equals(ConfigFingerprint.hash(config))) {
      throw new SnapshotException(dir.resolve(SnapshotFiles.MANIFEST) + ": config_hash does not match the "
          + "snapshot's config.yaml");
    }
    return new Snapshot(position, field(dir, optimizer, "type").asText(), number(dir, optimizer, "step_count"),
        weights, state, buffers, layers, field(dir, lr, "type").asText(), number(dir, lr, "total_steps"),
        field(dir, lr, "next_lr").asDouble(), config, hash);
  }

  private static JsonNode manifest(Path dir) {
    Path file = dir.resolve(SnapshotFiles.MANIFEST);
    JsonNode m;
    try {
      byte[] bytes = Files.readAllBytes(file);
      Path sumFile = dir.resolve(SnapshotFiles.MANIFEST_SHA256);
      if (!Files.isRegularFile(sumFile)) {
        throw new SnapshotException(sumFile + ": missing");
      }
      if (!Files.readString(sumFile, StandardCharsets.US_ASCII).strip().equals(SnapshotFiles.sha256(bytes))) {
        throw new SnapshotException(file + ": SHA-256 differs from manifest.sha256 (the manifest is corrupted)");
      }
      m = JSON.readTree(bytes);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new SnapshotException(dir + ": no manifest.json (not a snapshot, or one whose write never finished)");
    } catch (IOException e) {
      throw new SnapshotException(file + ": unreadable or not JSON (corrupted or truncated?): "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
    if (m == null || !m.isObject() || !SnapshotWriter.FORMAT.equals(m.path("format").asText())) {
      throw new SnapshotException(file + ": not a lockstep snapshot manifest (format is not \""
          + SnapshotWriter.FORMAT + "\")");
    }
    if (m.path("version").asInt() != SnapshotWriter.VERSION) {
      throw new SnapshotException(file + ": snapshot format version " + m.path("version").asText()
          + ", this lockstep reads version " + SnapshotWriter.VERSION);
    }
    return m;
  }

  private static float[] floats(Path dir, JsonNode m, String name, long expectedFloats) {
    byte[] bytes = verified(dir, m, name);
    if (bytes.length != 4 * expectedFloats) {
      throw new SnapshotException(dir.resolve(name) + ": " + bytes.length / 4 + " floats, the manifest says "
          + expectedFloats + " parameters");
    }
    return SnapshotFiles.floats(bytes);
  }

  /** The file's bytes, after checking its size and SHA-256 against the manifest. */
  private static byte[] verified(Path dir, JsonNode m, String name) {
    JsonNode entry = field(dir, field(dir, m, "files"), name);
    Path file = dir.resolve(name);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new SnapshotException(file + ": missing");
    } catch (IOException e) {
      throw new SnapshotException(file + ": cannot read: " + e.getMessage(), e);
    }
    long expected = number(dir, entry, "bytes");
    if (bytes.length != expected) {
      throw new SnapshotException(file + ": " + bytes.length + " bytes, the manifest says " + expected
          + " (truncated or replaced)");
    }
    String sha = field(dir, entry, "sha256").asText();
    if (!SnapshotFiles.sha256(bytes).equals(sha)) {
      throw new SnapshotException(file + ": SHA-256 differs from the manifest's (the file is corrupted)");
    }
    return bytes;
  }

  private static JsonNode field(Path dir, JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      throw new SnapshotException(dir.resolve(SnapshotFiles.MANIFEST) + ": missing \"" + key + "\"");
    }
    return v;
  }

  private static long number(Path dir, JsonNode node, String key) {
    JsonNode v = field(dir, node, key);
    if (!v.canConvertToLong()) {
      throw new SnapshotException(dir.resolve(SnapshotFiles.MANIFEST) + ": \"" + key + "\" is not an integer");
    }
    return v.asLong();
  }
}
