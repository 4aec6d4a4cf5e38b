package dev.lockstep.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.util.List;

/**
 * The one Jackson setup for config YAML, reading and writing: snake_case keys, unknown keys and duplicate keys
 * rejected, and none of Jackson's silent conversions ("0.1" → 0.1, 1.5 → 1, 0 → false, "" → null). An
 * integer still widens to a number (lr: 1) and a number may stand for a string (segments: 0). Explicit nulls
 * are caught before binding ({@link ExplicitNulls}). Configured once; ObjectMapper is thread-safe after that.
 */
final class ConfigMapper {
  static final ObjectMapper MAPPER = create();

  private ConfigMapper() {}

  private static ObjectMapper create() {
    YAMLFactory yaml = YAMLFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL) // `lr:` is null, as in YAML (the builder's default differs)
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
        .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
        .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
        .build();
    YAMLMapper.Builder b = YAMLMapper.builder(yaml)
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL));
    for (LogicalType t : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
      b.withCoercionConfig(t, c -> {
        c.setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        c.setAcceptBlankAsEmpty(false);
      });
    }
    b.withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.Float, CoercionAction.Fail));
    b.withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail));
    b.withCoercionConfig(LogicalType.Textual, c -> {
      c.setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
      c.setCoercion(CoercionInputShape.Float, CoercionAction.TryConvert);
      c.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    });
    return b.build();
  }
}
