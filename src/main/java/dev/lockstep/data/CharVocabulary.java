package dev.lockstep.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The characters (Unicode code points) of a text, sorted; a character's id is its index. Saved with the run
 * as {@code vocab.json} ({@code {"chars": ["\n", " ", "!", ...]}}) so sampling decodes ids the way training
 * encoded them.
 */
public final class CharVocabulary {
  public static final String FILE = "vocab.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final int[] codePoints; // [V] sorted
  private final Map<Integer, Integer> ids = new HashMap<>();

  public CharVocabulary(int[] codePoints) {
    this.codePoints = codePoints.clone();
    for (int i = 0; i < codePoints.length; i++) {
      ids.put(codePoints[i], i);
    }
  }

  /** The distinct code points of {@code text}. */
  public static CharVocabulary of(String text) {
    TreeSet<Integer> set = new TreeSet<>();
    text.codePoints().forEach(set::add);
    return new CharVocabulary(set.stream().mapToInt(Integer::intValue).toArray());
  }

  public int size() {
    return codePoints.length;
  }

  /** The id of code point {@code cp}, or -1 when the training text never had it. */
  public int id(int cp) {
    return ids.getOrDefault(cp, -1);
  }

  public String decode(int id) {
    return new String(Character.toChars(codePoints[id]));
  }

  public byte[] toJson() {
    String[] chars = new String[codePoints.length];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = decode(i);
    }
    try {
      return JSON.writeValueAsBytes(Map.of("chars", Arrays.asList(chars)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static CharVocabulary read(Path file) {
    try {
      List<?> chars = (List<?>) JSON.readValue(file.toFile(), Map.class).get("chars");
      if (chars == null) {
        throw new DataException("file " + file + ": no \"chars\" list");
      }
      int[] cps = new int[chars.size()];
      for (int i = 0; i < cps.length; i++) {
        String c = String.valueOf(chars.get(i));
        if (c.codePointCount(0, c.length()) != 1) {
          throw new DataException("file " + file + ": chars[" + i + "] is not one character");
        }
        cps[i] = c.codePointAt(0);
      }
      return new CharVocabulary(cps);
    } catch (IOException e) {
      throw new DataException("file " + file + ": cannot read the vocabulary: " + e.getMessage());
    }
  }
}
