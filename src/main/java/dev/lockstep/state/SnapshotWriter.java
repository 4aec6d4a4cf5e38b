package dev.lockstep.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lockstep.nn.LayerRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a {@link Snapshot} as {@code <checkpoints>/step-NNNNNN/}, atomically: every file goes into a hidden
 * temporary directory {@code .step-NNNNNN.tmp} and is fsynced, then the directory is renamed into place and the
 * parent fsynced. A reader therefore sees either no {@code step-NNNNNN} or a complete one; a failed write (disk
 * full) removes its temporary directory and leaves every earlier snapshot as it was.
 *
 * <p>Files (format version 1):
 * <ul>
 *   <li>{@code weights.f32}: the flat parameter buffer, raw little-endian float32 [parameters]</li>
 *   <li>{@code optimizer-<i>.f32}: the optimizer's state buffers in order (sgd: velocity; adam: m, v), same layout</li>
 *   <li>{@code buffers.f32}: the layers' non-trained state (batch norm's running statistics), only when the model
 *       has any (manifest key {@code buffers}: its length)</li>
 *   <li>{@code config.yaml}: the effective config of the run that wrote it</li>
 *   <li>{@code manifest.json}: format, version, step, epoch, step_in_epoch, samples_into_epoch, ranks,
 *       batch_per_rank, global_batch, optimizer (type, step_count, state files), lr_schedule (type, total_steps,
 *       next_lr), update (mode), rng, config_hash, parameters, layers (name, offset, length), and per file its
 *       byte count and SHA-256</li>
 *   <li>{@code manifest.sha256}: the SHA-256 of manifest.json (hex, one line)</li>
 * </ul>
 */
public final class SnapshotWriter {
  static final String FORMAT = "lockstep-snapshot";
  static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SnapshotWriter() {}

  /** Writes {@code s} under {@code checkpointsDir} (created if needed) and returns the snapshot's directory. */
  public static Path write(Path checkpointsDir, Snapshot s) {
    String name = SnapshotFiles.dirName(s.position().step());
    Path target = checkpointsDir.resolve(name);
    Path tmp = checkpointsDir.resolve("." + name + ".tmp");
    try {
      Files.createDirectories(checkpointsDir);
      SnapshotFiles.deleteRecursively(tmp); // left by a write that died half-way
      Files.createDirectory(tmp);
      Map<String, Object> files = new LinkedHashMap<>();
      put(tmp, SnapshotFiles.WEIGHTS, SnapshotFiles.littleEndian(s.weights()), files);
      List<String> stateFiles = new ArrayList<>();
      for (int i = 0; i < s.optimizerState().size(); i++) {
        stateFiles.add(SnapshotFiles.optimizerFile(i));
        put(tmp, SnapshotFiles.optimizerFile(i), SnapshotFiles.littleEndian(s.optimizerState().get(i)), files);
      }
      if (s.buffers().length > 0) {
        put(tmp, SnapshotFiles.BUFFERS, SnapshotFiles.littleEndian(s.buffers()), files);
      }
      put(tmp, SnapshotFiles.CONFIG, s.configYaml().getBytes(StandardCharsets.UTF_8), files);
      byte[] manifest = JSON.writeValueAsBytes(manifest(s, stateFiles, files));
      SnapshotFiles.writeDurably(tmp.resolve(SnapshotFiles.MANIFEST), manifest);
      SnapshotFiles.writeDurably(tmp.resolve(SnapshotFiles.MANIFEST_SHA256),
          (SnapshotFiles.sha256(manifest) + "\n").getBytes(StandardCharsets.US_ASCII));
      SnapshotFiles.fsyncDirectory(tmp);
      replace(tmp, target);
      SnapshotFiles.fsyncDirectory(checkpointsDir);
      return target;
    } catch (IOException e) {
      SnapshotFiles.deleteRecursively(tmp);
      throw new UncheckedIOException("cannot write snapshot " + target + ": " + describe(e)
          + "; earlier snapshots are unchanged", e);
    }
  }

  /** Deletes all but the newest {@code keepLast} snapshots (by step); 0 keeps all. */
  public static void prune(Path checkpointsDir, int keepLast) {
    if (keepLast <= 0 || !Files.isDirectory(checkpointsDir)) {
      return;
    }
    List<Path> snapshots = SnapshotReader.list(checkpointsDir);
    for (int i = 0; i < snapshots.size() - keepLast; i++) {
      SnapshotFiles.deleteRecursively(snapshots.get(i));
    }
  }

  private static void put(Path dir, String name, byte[] content, Map<String, Object> files) throws IOException {
    SnapshotFiles.writeDurably(dir.resolve(name), content);
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("bytes", (long) content.length);
    entry.put("sha256", SnapshotFiles.sha256(content));
    files.put(name, entry);
  }

  /**
   * Renames {@code tmp} to {@code target}. An existing snapshot of the same step (a resumed run passing it again) is
   * first moved aside and deleted only after the new one is in place.
   */
  private static void replace(Path tmp, Path target) throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      old = target.resolveSibling("." + target.getFileName() + ".old");
      SnapshotFiles.deleteRecursively(old);
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    if (old != null) {
      SnapshotFiles.deleteRecursively(old);
    }
  }

  private static Map<String, Object> manifest(Snapshot s, List<String> stateFiles, Map<String, Object> files) {
    TrainingPosition p = s.position();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("version", VERSION);
    m.put("created", Instant.now().toString());
    m.put("step", p.step());
    m.put("epoch", p.epoch());
    m.put("step_in_epoch", p.stepInEpoch());
    m.put("samples_into_epoch", p.samplesIntoEpoch());
    m.put("ranks", p.ranks());
    m.put("batch_per_rank", p.batchPerRank());
    m.put("global_batch", p.globalBatch());
    Map<String, Object> optimizer = new LinkedHashMap<>();
    optimizer.put("type", s.optimizerType());
    optimizer.put("step_count", s.optimizerSteps());
    optimizer.put("state", stateFiles);
    m.put("optimizer", optimizer);
    Map<String, Object> lr = new LinkedHashMap<>();
    lr.put("type", s.scheduleType());
    lr.put("total_steps", s.totalSteps());
    lr.put("next_step", p.step());
    lr.put("next_lr", s.nextLr());
    m.put("lr_schedule", lr);
    m.put("update", Map.of("mode", "sync"));
    m.put("rng", Snapshot.RNG_NOTE);
    m.put("config_hash", s.configHash());
    m.put("parameters", s.parameterCount());
    if (s.buffers().length > 0) {
      m.put("buffers", s.buffers().length);
    }
    List<Map<String, Object>> layers = new ArrayList<>();
    for (LayerRange r : s.layers()) {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("index", r.layerIndex());
      l.put("name", r.name());
      l.put("offset", r.offset());
      l.put("length", r.length());
      layers.add(l);
    }
    m.put("layers", layers);
    m.put("files", files);
    return m;
  }

  /** "No space left on device" rather than a bare path (as FileSystemException's message often is). */
  static String describe(IOException e) {
    String m = e.getMessage();
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason() + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
    }
    return m != null ? m : e.getClass().getSimpleName();
  }

  static List<Path> sortedByStep(Stream<Path> dirs) {
    return dirs.filter(d -> SnapshotFiles.stepOf(d) >= 0).sorted(Comparator.comparingLong(SnapshotFiles::stepOf))
        .toList();
  }
}
