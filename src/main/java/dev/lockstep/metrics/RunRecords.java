package dev.lockstep.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a finished (or crashed) run left in its directory, read back for plots and comparisons: the step and eval
 * records of metrics.jsonl and summary.json when it is there.
 */
public final class RunRecords {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One point of a curve; {@code elapsedSeconds} is NaN when the record has no elapsed_s. */
  public record Point(long step, double elapsedSeconds, double loss, double accuracy) {}

  private final Path dir;
  private final List<Point> train;
  private final List<Point> eval;
  private final JsonNode summary; // null: no summary.json (the run did not finish)

  private RunRecords(Path dir, List<Point> train, List<Point> eval, JsonNode summary) {
    this.dir = dir;
    this.train = train;
    this.eval = eval;
    this.summary = summary;
  }

  /** Reads {@code dir}; a directory without metrics.jsonl or with a broken line is an error naming the file and line. */
  public static RunRecords read(Path dir) {
    Path metrics = dir.resolve("metrics.jsonl");
    if (!Files.isRegularFile(metrics)) {
      throw new IllegalArgumentException(dir + " is not a run directory (no metrics.jsonl)");
    }
    List<Point> train = new ArrayList<>(), eval = new ArrayList<>();
    try {
      List<String> lines = Files.readAllLines(metrics);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).isBlank()) {
          continue;
        }
        JsonNode r;
        try {
          r = JSON.readTree(lines.get(i));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalArgumentException(metrics + ":" + (i + 1) + ": not a JSON object (" + e.getOriginalMessage()
              + ")");
        }
        String kind = r.path("kind").asText();
        if (kind.equals("step")) {
          train.add(new Point(r.path("step").asLong(), number(r, "elapsed_s"), number(r, "loss"),
              number(r, "accuracy")));
        } else if (kind.equals("eval")) {
          eval.add(new Point(r.path("step").asLong(), number(r, "elapsed_s"), number(r, "test_loss"),
              number(r, "test_accuracy")));
        }
      }
      Path summaryFile = dir.resolve("summary.json");
      JsonNode summary = Files.isRegularFile(summaryFile) ? JSON.readTree(summaryFile.toFile()) : null;
      return new RunRecords(dir, List.copyOf(train), List.copyOf(eval), summary);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + dir + ": " + e.getMessage(), e);
    }
  }

  private static double number(JsonNode r, String key) {
    JsonNode v = r.get(key);
    return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
  }

  public Path dir() {
    return dir;
  }

  /** The run's name as users know it: its directory's name. */
  public String name() {
    Path f = dir.toAbsolutePath().normalize().getFileName();
    return f == null ? dir.toString() : f.toString();
  }

  /** Logged training steps: loss and batch accuracy of the step's global batch. */
  public List<Point> train() {
    return train;
  }

  /** Test-set evaluations. */
  public List<Point> eval() {
    return eval;
  }

  public Optional<JsonNode> summary() {
    return Optional.ofNullable(summary);
  }
}
