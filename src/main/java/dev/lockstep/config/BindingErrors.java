package dev.lockstep.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.lang.reflect.Type;
import java.util.List;

/**
 * Turns what Jackson throws while binding the YAML tree to {@link LockstepConfig} into a {@link ConfigProblem}
 * with the key path and a short sentence ("expected an integer, got "three""), instead of Jackson's
 * multi-line messages about Java classes.
 */
final class BindingErrors {
  private BindingErrors() {}

  static ConfigProblem problem(JacksonException e, JsonNode tree) {
    if (e instanceof UnrecognizedPropertyException u) {
      Class<?> section = u.getReferringClass();
      List<String> known = section != null && section.isRecord()
          ? ConfigSchema.keysOf(section)
          : u.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
      return new ConfigProblem(pathOf(u.getPath()), "unknown key (known: " + String.join(", ", known) + ")");
    }
    if (e instanceof JsonMappingException m) {
      String path = pathOf(m.getPath());
      if (m.getCause() instanceof InputCoercionException overflow) {
        return outOfRange(path, overflow);
      }
      if (e instanceof InvalidNullException) {
        return new ConfigProblem(path, "no value given (leave the key out to use its default)");
      }
      if (e instanceof MismatchedInputException) {
        Type expected = typeAt(m.getPath());
        String want = expected != null ? ConfigSchema.describe(ConfigSchema.rawClass(expected)) : "another kind of value";
        return new ConfigProblem(path, "expected " + want + ", got " + render(nodeAt(tree, m.getPath())));
      }
      return new ConfigProblem(path, firstLine(m.getOriginalMessage()));
    }
    // Parser-level errors while reading the tree (e.g. an int that does not fit) carry no mapping path,
    // but the tree parser's context still points at the key.
    String path = e.getProcessor() instanceof JsonParser p ? YamlLines.pathOf(p.getParsingContext()) : "";
    if (e instanceof InputCoercionException overflow) {
      return outOfRange(path, overflow);
    }
    return new ConfigProblem(path, firstLine(e.getOriginalMessage()));
  }

  private static ConfigProblem outOfRange(String path, InputCoercionException e) {
    Class<?> target = e.getTargetType();
    String limit = target == Integer.TYPE || target == Integer.class ? " (at most " + Integer.MAX_VALUE + ")"
        : target == Long.TYPE || target == Long.class ? " (at most " + Long.MAX_VALUE + ")" : "";
    return new ConfigProblem(path, "number too large" + limit);
  }

  static String pathOf(List<JsonMappingException.Reference> refs) {
    String path = "";
    for (JsonMappingException.Reference r : refs) {
      path = r.getFieldName() != null ? KeyPath.child(path, r.getFieldName()) : KeyPath.element(path, r.getIndex());
    }
    return path;
  }

  /** The declared type at a path, following the records from the top; null when the path leaves them. */
  private static Type typeAt(List<JsonMappingException.Reference> refs) {
    Type type = LockstepConfig.class;
    for (JsonMappingException.Reference r : refs) {
      Class<?> raw = ConfigSchema.rawClass(type);
      if (r.getFieldName() != null && raw.isRecord()) {
        type = ConfigSchema.typeOf(raw, r.getFieldName()).orElse(null);
      } else if (r.getFieldName() == null && ConfigSchema.isList(type)) {
        type = ConfigSchema.elementType(type);
      } else {
        return null;
      }
      if (type == null) {
        return null;
      }
    }
    return type;
  }

  private static JsonNode nodeAt(JsonNode tree, List<JsonMappingException.Reference> refs) {
    JsonNode node = tree;
    for (JsonMappingException.Reference r : refs) {
      if (node == null) {
        return null;
      }
      node = r.getFieldName() != null ? node.get(r.getFieldName()) : node.get(r.getIndex());
    }
    return node;
  }

  /** A YAML value as a message shows it: "three" (quoted: it was a string), 3, true, a mapping, a list. */
  static String render(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isTextual()) {
      return ConfigValidator.quote(node.textValue());
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    return node.asText();
  }

  private static String firstLine(String s) {
    return s == null ? "invalid value" : s.lines().findFirst().orElse(s);
  }
}
