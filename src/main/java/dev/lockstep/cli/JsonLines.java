package dev.lockstep.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.Map;

/** {@code --json} output of the commands: one JSON object per line, fields in insertion order, flushed per line. */
final class JsonLines {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonLines() {}

  static void print(PrintWriter out, Map<String, ?> record) {
    try {
      out.println(JSON.writeValueAsString(record));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON record: " + e.getMessage(), e);
    }
    out.flush();
  }
}
