package dev.lockstep.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where each key path sits in a YAML text: {@code optimizer.lr → 12}, {@code model.layers[2] → 7}. Binding and
 * validation find problems by key path long after the parser is gone; this second streaming pass lets them
 * still name the line. A key's line is the line of the key itself; a list element's, the line where it starts.
 * Call only on text that already parsed.
 */
final class YamlLines {
  private final Map<String, Integer> lineOf;

  private YamlLines(Map<String, Integer> lineOf) {
    this.lineOf = lineOf;
  }

  static YamlLines of(String yaml) {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser p = new YAMLFactory().createParser(yaml)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        // A container's start token already belongs to the new context; its key or index lives in the parent.
        JsonStreamContext ctx = t.isStructStart() ? p.getParsingContext().getParent() : p.getParsingContext();
        if (t.isStructEnd() || ctx == null || ctx.inRoot()) {
          continue;
        }
        lines.putIfAbsent(pathOf(ctx), p.currentTokenLocation().getLineNr());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("YAML that parsed once failed to parse again", e);
    }
    return new YamlLines(lines);
  }

  /** The line of {@code path}, if the text has that key or element. */
  Optional<Integer> line(String path) {
    return Optional.ofNullable(lineOf.get(path));
  }

  /** The path of the key or element a parser context points at. */
  static String pathOf(JsonStreamContext ctx) {
    if (ctx == null || ctx.inRoot()) {
      return "";
    }
    String parent = pathOf(ctx.getParent());
    if (ctx.inArray()) {
      return KeyPath.element(parent, Math.max(ctx.getCurrentIndex(), 0));
    }
    String name = ctx.getCurrentName();
    return name == null ? parent : KeyPath.child(parent, name);
  }
}
