package dev.lockstep.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The shape of a config as the records declare it: the YAML keys of each section (snake_case of the record
 * components, in declaration order, as Jackson names them) and the kind of value each key holds.
 */
final class ConfigSchema {
  private static final PropertyNamingStrategies.NamingBase SNAKE_CASE =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

  private ConfigSchema() {}

  /** The YAML keys of a section record, in declaration order. */
  static List<String> keysOf(Class<?> section) {
    return Arrays.stream(section.getRecordComponents()).map(c -> SNAKE_CASE.translate(c.getName())).toList();
  }

  /** The declared type of {@code key} in a section record, if the section has that key. */
  static Optional<Type> typeOf(Class<?> section, String key) {
    for (RecordComponent c : section.getRecordComponents()) {
      if (SNAKE_CASE.translate(c.getName()).equals(key)) {
        return Optional.of(c.getGenericType());
      }
    }
    return Optional.empty();
  }

  static Class<?> rawClass(Type type) {
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return (Class<?>) type;
  }

  /** The element type of a {@code List<T>} component. */
  static Type elementType(Type listType) {
    return ((ParameterizedType) listType).getActualTypeArguments()[0];
  }

  static boolean isSection(Type type) {
    return rawClass(type).isRecord();
  }

  static boolean isList(Type type) {
    return List.class.isAssignableFrom(rawClass(type));
  }

  /** What a value of this type looks like in YAML, for "expected ..." messages. */
  static String describe(Class<?> type) {
    if (type == Integer.class || type == Long.class || type == int.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class || type == Float.class || type == double.class || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (type.isRecord()) {
      return "a mapping";
    }
    return "a " + type.getSimpleName();
  }
}
