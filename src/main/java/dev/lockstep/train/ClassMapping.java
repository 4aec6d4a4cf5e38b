package dev.lockstep.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lockstep.config.DataConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * classes.json in the run directory: which category each class id (= model output index) stands for, so the
 * exported model's outputs can be read back as names: {"target": "species", "classes": ["setosa", ...]}.
 */
final class ClassMapping {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ClassMapping() {}

  static byte[] json(DataConfig data, List<String> classNames) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (data.format().equals("csv")) {
      m.put("target", data.csv().target());
    }
    m.put("classes", classNames);
    try {
      return JSON.writeValueAsBytes(m);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
