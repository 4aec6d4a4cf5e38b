package dev.lockstep.metrics;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * trace.json in the Chrome trace-event format (the "JSON object" form): one process per rank (pid = rank, named
 * "rank r") with complete events ({@code "ph": "X"}, {@code ts}/{@code dur} in µs). chrome://tracing, Perfetto and
 * speedscope open it; stragglers show as long "wait" spans on the faster ranks.
 */
public final class TraceFile {
  private TraceFile() {}

  /**
   * @param spansPerRank per rank, the triples of {@link Timeline#encode()}
   * @param truncated whether any rank dropped spans past {@link Timeline#MAX_SPANS}
   */
  public static void write(Path file, List<double[]> spansPerRank, boolean truncated) {
    Timeline.Kind[] kinds = Timeline.Kind.values();
    try (JsonGenerator g = new JsonFactory().createGenerator(file.toFile(), JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("displayTimeUnit", "ms");
      g.writeObjectFieldStart("otherData");
      g.writeStringField("producer", "lockstep");
      g.writeNumberField("ranks", spansPerRank.size());
      g.writeBooleanField("truncated", truncated);
      g.writeEndObject();
      g.writeArrayFieldStart("traceEvents");
      for (int rank = 0; rank < spansPerRank.size(); rank++) {
        metadata(g, "process_name", rank, "rank " + rank);
        g.writeStartObject();
        g.writeStringField("name", "process_sort_index");
        g.writeStringField("ph", "M");
        g.writeNumberField("pid", rank);
        g.writeNumberField("tid", 0);
        g.writeObjectFieldStart("args");
        g.writeNumberField("sort_index", rank);
        g.writeEndObject();
        g.writeEndObject();
        metadata(g, "thread_name", rank, "training");
        double[] spans = spansPerRank.get(rank);
        for (int i = 0; i + 2 < spans.length; i += 3) {
          Timeline.Kind kind = kinds[(int) spans[i]];
          g.writeStartObject();
          g.writeStringField("name", kind.label);
          g.writeStringField("cat", kind.category);
          g.writeStringField("ph", "X");
          g.writeNumberField("ts", round3(spans[i + 1]));
          g.writeNumberField("dur", round3(spans[i + 2]));
          g.writeNumberField("pid", rank);
          g.writeNumberField("tid", 0);
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void metadata(JsonGenerator g, String name, int pid, String value) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", name);
    g.writeStringField("ph", "M");
    g.writeNumberField("pid", pid);
    g.writeNumberField("tid", 0);
    g.writeObjectFieldStart("args");
    g.writeStringField("name", value);
    g.writeEndObject();
    g.writeEndObject();
  }

  /** ns resolution is all the clocks give; keeps the file short. */
  private static double round3(double micros) {
    return Math.round(micros * 1e3) / 1e3;
  }
}
