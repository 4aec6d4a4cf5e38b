package dev.lockstep.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Optional;

/**
 * One {@code --set key.path=value} from the command line, e.g. {@code optimizer.lr=0.1} or
 * {@code model.layers.1.units=512} (a number after a list selects an element). The value is read as YAML, so
 * {@code 0.1} is a number and {@code false} a boolean, and it goes into the YAML tree before binding: overrides
 * are type-checked and validated exactly like the file.
 *
 * @param text the argument as given ({@code optimizer.lr=0.1}), used to name it in errors
 * @param segments the key split at dots ({@code [model, layers, 1, units]})
 * @param rawValue the text after the first '='
 */
record ConfigOverride(String text, List<String> segments, String rawValue) {

  static ConfigOverride parse(String text) {
    int eq = text.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("--set " + text + ": expected key.path=value, e.g. --set optimizer.lr=0.1");
    }
    List<String> segments = List.of(text.substring(0, eq).split("\\.", -1));
    if (segments.stream().anyMatch(String::isBlank)) {
      throw new ConfigException("--set " + text + ": empty key in " + quoted(text.substring(0, eq)));
    }
    return new ConfigOverride(text, segments, text.substring(eq + 1));
  }

  /**
   * Puts the value into {@code root}, creating sections the file leaves out, and returns the key path it set.
   * The path is checked against the config records first, so a typo names itself instead of a whole section.
   */
  String applyTo(ObjectNode root) {
    JsonNode value = parseValue();
    Type type = LockstepConfig.class;
    JsonNode node = root;
    String path = "";
    for (int i = 0; i < segments.size(); i++) {
      String seg = segments.get(i);
      boolean last = i == segments.size() - 1;
      Class<?> raw = ConfigSchema.rawClass(type);
      if (raw.isRecord()) {
        String parent = path;
        Optional<Type> declared = ConfigSchema.typeOf(raw, seg);
        if (declared.isEmpty()) {
          throw fail("unknown key " + KeyPath.child(parent, seg)
              + " (known: " + String.join(", ", ConfigSchema.keysOf(raw)) + ")");
        }
        type = declared.get();
        path = KeyPath.child(path, seg);
        if (!(node instanceof ObjectNode obj)) {
          throw fail(displayPath(parent) + " in the config file is not a mapping");
        }
        if (last) {
          obj.set(seg, value);
        } else {
          JsonNode next = obj.get(seg);
          if (next == null || next.isNull()) {
            next = ConfigSchema.isList(type) ? obj.putArray(seg) : obj.putObject(seg);
          }
          node = next;
        }
      } else if (ConfigSchema.isList(type)) {
        if (!(node instanceof ArrayNode arr)) {
          throw fail(path + " in the config file is not a list");
        }
        int index = index(seg, path);
        if (index >= arr.size()) {
          throw fail(path + " has no element " + index + " (it has " + arr.size() + ")");
        }
        path = KeyPath.element(path, index);
        type = ConfigSchema.elementType(type);
        if (last) {
          arr.set(index, value);
        } else {
          node = arr.get(index);
        }
      } else {
        throw fail(path + " is a single value; it has no key " + seg);
      }
    }
    return path;
  }

  /** An error about this override, in the form every {@code --set} error takes. */
  ConfigException fail(String message) {
    return new ConfigException(where() + message);
  }

  /** "--set optimizer.lr=-1: ", the prefix of every message about this override. */
  String where() {
    return "--set " + text + ": ";
  }

  private JsonNode parseValue() {
    if (rawValue.isEmpty()) {
      return TextNode.valueOf("");
    }
    try {
      JsonNode v = ConfigMapper.MAPPER.readTree(rawValue);
      return v == null || v.isMissingNode() ? TextNode.valueOf(rawValue) : v;
    } catch (JacksonException e) {
      throw fail("value is not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
  }

  private int index(String seg, String listPath) {
    try {
      int index = Integer.parseInt(seg);
      if (index >= 0) {
        return index;
      }
    } catch (NumberFormatException e) {
      // fall through: not an index
    }
    throw fail(listPath + " is a list; expected an element number after it, got " + quoted(seg));
  }

  private static String displayPath(String path) {
    return path.isEmpty() ? "the top level" : path;
  }

  private static String quoted(String s) {
    return ConfigValidator.quote(s);
  }
}
