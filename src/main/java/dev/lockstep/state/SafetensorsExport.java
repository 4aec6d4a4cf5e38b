package dev.lockstep.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.nn.BatchNorm;
import dev.lockstep.nn.Conv2d;
import dev.lockstep.nn.Layer;
import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Window2d;
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
 * F32 data) so other tools can load them. Tensor names follow PyTorch's state_dict of an nn.Sequential, prefixed
 * {@code layers.} (i = position in model.layers): linear {@code layers.<i>.weight} [out, in] and {@code .bias}
 * [out]; conv2d {@code .weight} [out, in, k, k] and {@code .bias} [out]; batch_norm {@code .weight} (γ) [C],
 * {@code .bias} (β) [C], {@code .running_mean} [C] and {@code .running_var} [C]; any other layer with parameters
 * as {@code layers.<i>.params} [n]. The metadata's {@code layer_types} lists each layer's type by index
 * ("0:conv2d,1:relu,..."), {@code model} its description. Written to a temporary name and renamed: never half a
 * file.
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
    metadata.put("layer_types", layerTypes(model));
    header.put("__metadata__", metadata);
    for (LayerRange range : params.layerRanges()) {
      Layer layer = model.layers().get(range.layerIndex());
      String prefix = "layers." + range.layerIndex();
      if (layer instanceof Conv2d conv) {
        Window2d w = conv.window();
        long n = (long) conv.outChannels() * w.patchSize();
        header.put(prefix + ".weight", entry(List.of(conv.outChannels(), w.channels(), w.kernel(), w.kernel()),
            range.offset(), range.offset() + n));
        header.put(prefix + ".bias", entry(List.of(conv.outChannels()), range.offset() + n,
            range.offset() + range.length()));
      } else if (layer instanceof BatchNorm bn) {
        int c = bn.channels();
        header.put(prefix + ".weight", entry(List.of(c), range.offset(), range.offset() + c));
        header.put(prefix + ".bias", entry(List.of(c), range.offset() + c, range.offset() + 2L * c));
      } else if (layer instanceof Linear linear) {
        long w = (long) linear.outFeatures() * linear.inFeatures();
        header.put(prefix + ".weight", entry(List.of(linear.outFeatures(), linear.inFeatures()), range.offset(),
            range.offset() + w));
        header.put(prefix + ".bias", entry(List.of(linear.outFeatures()), range.offset() + w,
            range.offset() + range.length()));
      } else {
        header.put("layers." + range.layerIndex() + ".params",
            entry(List.of(range.length()), range.offset(), range.offset() + range.length()));
      }
    }
    long base = weights.length; // buffers follow the parameters in the data section
    for (LayerRange range : params.bufferRanges()) {
      if (model.layers().get(range.layerIndex()) instanceof BatchNorm bn) {
        int c = bn.channels();
        String prefix = "layers." + range.layerIndex();
        header.put(prefix + ".running_mean", entry(List.of(c), base + range.offset(), base + range.offset() + c));
        header.put(prefix + ".running_var", entry(List.of(c), base + range.offset() + c,
            base + range.offset() + 2L * c));
      } else {
        header.put("layers." + range.layerIndex() + ".buffers", entry(List.of(range.length()), base + range.offset(),
            base + range.offset() + range.length()));
      }
    }
    float[] buffers = params.downloadBuffers();
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(header);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    int padded = (json.length + 7) / 8 * 8; // data starts 8-byte aligned; pad the header with spaces
    ByteBuffer buf = ByteBuffer.allocate(8 + padded + 4 * (weights.length + buffers.length))
        .order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(padded).put(json);
    for (int i = json.length; i < padded; i++) {
      buf.put((byte) ' ');
    }
    buf.asFloatBuffer().put(weights).put(buffers);
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try {
      Files.write(tmp, buf.array());
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** "0:conv2d,1:relu,2:max_pool2d,...": the config type of each layer, so a reader can rebuild the model. */
  private static String layerTypes(Model model) {
    StringBuilder s = new StringBuilder();
    List<Layer> layers = model.layers();
    for (int i = 0; i < layers.size(); i++) {
      String d = layers.get(i).describe();
      int paren = d.indexOf('(');
      s.append(i == 0 ? "" : ",").append(i).append(':').append(paren < 0 ? d : d.substring(0, paren));
    }
    return s.toString();
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
