package dev.lockstep.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a key written with no value ({@code lr:} or {@code lr: ~}). Records fill a null with the default, so
 * binding alone would let an unfinished edit pass silently; a section left empty ({@code optimizer:}) is fine
 * and means all its defaults. Done on the tree because Jackson cannot tell "null" from "absent" for record
 * components.
 */
final class ExplicitNulls {
  private ExplicitNulls() {}

  /** The first key path whose value is an explicit null where a value is needed. */
  static Optional<ConfigProblem> find(JsonNode tree) {
    return find(tree, LockstepConfig.class, "");
  }

  private static Optional<ConfigProblem> find(JsonNode node, Type type, String path) {
    Class<?> raw = ConfigSchema.rawClass(type);
    if (raw.isRecord() && node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        Optional<Type> declared = ConfigSchema.typeOf(raw, e.getKey());
        if (declared.isEmpty()) {
          continue; // binding reports unknown keys
        }
        String keyPath = KeyPath.child(path, e.getKey());
        if (e.getValue().isNull()) {
          if (!ConfigSchema.isSection(declared.get())) {
            return Optional.of(noValue(keyPath));
          }
          continue;
        }
        Optional<ConfigProblem> inner = find(e.getValue(), declared.get(), keyPath);
        if (inner.isPresent()) {
          return inner;
        }
      }
    } else if (ConfigSchema.isList(type) && node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String elementPath = KeyPath.element(path, i);
        if (node.get(i).isNull()) {
          return Optional.of(new ConfigProblem(elementPath, "empty list element"));
        }
        Optional<ConfigProblem> inner = find(node.get(i), ConfigSchema.elementType(type), elementPath);
        if (inner.isPresent()) {
          return inner;
        }
      }
    }
    return Optional.empty();
  }

  private static ConfigProblem noValue(String path) {
    return new ConfigProblem(path, "no value given (leave the key out to use its default)");
  }
}
