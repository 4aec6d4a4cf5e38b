package dev.lockstep.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.tensor.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the model's weights as safetensors (8-byte little-endian header length, JSON header, raw little-endian
 * F32 data) so other tools can load them. Tensor names: {@code layers.<i>.weight} [out, in] and
 * {@code layers.<i>.bias} [out] for linear layer i (i = position in model.layers); any other layer with
 * parameters as {@code layers.<i>.params} [n]. Written to a temporary name and renamed: never half a file.
 */
public final class SafetensorsExport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SafetensorsExport() {}

  public static void write(Model model, Parameters params, Backend backend, Path file) {
    float[] weights = params.download();
    Map<String, Object> header = new LinkedHashMap<>();
    Map<String, Object> metadata = new LinkedHashMap<>(); // fixed order: equal weights give equal files
    metadata.put("format", "pt");
    metadata.put("producer", "lockstep");
    metadata.put("model", model.describe());
    header.put("__metadata__", metadata);
    for (LayerRange range : params.layerRanges()) {
      if (model.layers().get(range.layerIndex()) instanceof Linear linear) {
        long w = (long) linear.outFeatures() * linear.inFeatures();
        String prefix = "layers." + range.layerIndex();
        header.put(prefix + ".weight", entry(List.of(linear.outFeatures(), linear.inFeatures()), range.offset(),
            range.offset() + w));
        header.put(prefix + ".bias", entry(List.of(linear.outFeatures()), range.offset() + w,
            range.offset() + range.length()));
      } else {
        header.put("layers." + range.layerIndex() + ".params",
            entry(List.of(range.length()), range.offset(), range.offset() + range.length()));
      }
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(header);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    int padded = (json.length + 7) / 8 * 8; // data starts 8-byte aligned; pad the header with spaces
    ByteBuffer buf = ByteBuffer.allocate(8 + padded + 4 * weights.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(padded).put(json);
    for (int i = json.length; i < padded; i++) {
      buf.put((byte) ' ');
    }
    buf.asFloatBuffer().put(weights);
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try {
      Files.write(tmp, buf.array());
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Offsets are in floats here; safetensors wants bytes relative to the start of the data. */
  private static Map<String, Object> entry(List<? extends Number> shape, long from, long to) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dtype", "F32");
    m.put("shape", shape);
    m.put("data_offsets", List.of(4 * from, 4 * to));
    return m;
  }
}
