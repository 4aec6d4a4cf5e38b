package dev.lockstep.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads back a {@link SafetensorsExport} file as the flat parameter buffer: the exporter lays tensors out in
 * flat-buffer order, so the data section is the buffer; the header is checked to cover it without gaps.
 */
public final class SafetensorsImport {
  private SafetensorsImport() {}

  /** The flat parameters of {@code file}; errors name the file. */
  public static float[] readFlat(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      long headerLength = buf.getLong();
      if (headerLength < 2 || 8 + headerLength > bytes.length) {
        throw new IllegalArgumentException("file " + file + ": not a safetensors file (header length " + headerLength + ")");
      }
      JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
      long covered = 0;
      for (var it = header.properties().iterator(); it.hasNext(); ) {
        var e = it.next();
        if (!e.getKey().equals("__metadata__")) {
          if (!"F32".equals(e.getValue().path("dtype").asText())) {
            throw new IllegalArgumentException("file " + file + ": tensor " + e.getKey() + " is not F32");
          }
          covered += e.getValue().get("data_offsets").get(1).asLong() - e.getValue().get("data_offsets").get(0).asLong();
        }
      }
      long data = bytes.length - 8 - headerLength;
      if (covered != data || data % 4 != 0) {
        throw new IllegalArgumentException("file " + file + ": tensors cover " + covered + " of " + data + " data bytes");
      }
      float[] flat = new float[(int) (data / 4)];
      buf.position((int) (8 + headerLength));
      buf.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(flat);
      return flat;
    } catch (IOException e) {
      throw new IllegalArgumentException("file " + file + ": cannot read: " + e.getMessage());
    }
  }
}
