package dev.lockstep.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * metrics.jsonl: one JSON object per line, flushed per record so a crashed run keeps what it logged. Every
 * record has "kind" (step | eval | event) and the fields the caller gives, in insertion order. With a mirror
 * ({@code train --json}) every line is also printed there, byte for byte the same.
 */
public final class MetricsLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final BufferedWriter out;
  private final PrintStream mirror; // null: the file only

  public MetricsLog(Path file) {
    this(file, false, null);
  }

  /**
   * @param append continue an existing file (a resumed run) instead of starting it anew
   * @param mirror also print every record there (--json), or null for the file only
   */
  public MetricsLog(Path file, boolean append, PrintStream mirror) {
    this.mirror = mirror;
    try {
      out = append
          ? Files.newBufferedWriter(file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
              java.nio.file.StandardOpenOption.APPEND)
          : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Starts a record of the given kind; add fields, then {@link Record#write()}. */
  public Record record(String kind) {
    return new Record(kind);
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One line of metrics.jsonl under construction. */
  public final class Record {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Record(String kind) {
      fields.put("kind", kind);
    }

    public Record put(String key, Object value) {
      fields.put(key, value);
      return this;
    }

    public void write() {
      try {
        String line = JSON.writeValueAsString(fields);
        out.write(line);
        out.newLine();
        out.flush();
        if (mirror != null) {
          mirror.println(line);
          mirror.flush();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to metrics.jsonl: " + e.getMessage(), e);
      }
    }
  }
}
