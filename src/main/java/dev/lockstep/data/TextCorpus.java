package dev.lockstep.data;

import dev.lockstep.config.DataConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * data.format text: UTF-8 text from {@code data.path}, a file or a directory (its regular files, sorted by
 * name; symbolic links, hidden files and fortune's {@code .dat} indexes are skipped). A line holding only
 * {@code %} (fortune's record separator) becomes an empty line. Each file's last {@code val_fraction} (cut at a
 * line start) is validation text, the rest training text, so both splits sample every file. The vocabulary
 * is the training text's characters; validation characters outside it are dropped (and counted).
 */
public final class TextCorpus {
  private final CharVocabulary vocab;
  private final int[] train; // [n] character ids
  private final int[] validation; // [m]
  private final int droppedValidationChars;
  private final int files;

  private TextCorpus(CharVocabulary vocab, int[] train, int[] validation, int dropped, int files) {
    this.vocab = vocab;
    this.train = train;
    this.validation = validation;
    this.droppedValidationChars = dropped;
    this.files = files;
  }

  public static TextCorpus load(DataConfig cfg) {
    Path path = Path.of(cfg.path());
    List<Path> files = files(path);
    StringBuilder train = new StringBuilder(), val = new StringBuilder();
    for (Path f : files) {
      String text = read(f).replace("\r\n", "\n").replaceAll("(?m)^%$", "");
      int cut = (int) (text.length() * (1 - cfg.valFraction()));
      int lineStart = text.lastIndexOf('\n', cut);
      cut = lineStart < 0 ? cut : lineStart + 1;
      if (cut > 0 && Character.isLowSurrogate(text.charAt(Math.min(cut, text.length() - 1)))) {
        cut--; // never split a surrogate pair
      }
      train.append(text, 0, cut);
      val.append(text, cut, text.length());
    }
    return of(train.toString(), val.toString(), files.size(), path, cfg.context());
  }

  /** A corpus from two texts (tests, other sources); {@code context} is the window length the run uses. */
  public static TextCorpus of(String trainText, String valText, int files, Path source, int context) {
    CharVocabulary vocab = CharVocabulary.of(trainText);
    int[] train = trainText.codePoints().map(vocab::id).toArray();
    int[] all = valText.codePoints().map(vocab::id).toArray();
    int[] val = java.util.Arrays.stream(all).filter(id -> id >= 0).toArray();
    if (train.length < context + 2 || val.length < context + 1) {
      throw new DataException("data.path: " + source + " gives " + train.length + " training and " + val.length
          + " validation characters; data.context " + context + " needs at least " + (context + 2) + " and "
          + (context + 1));
    }
    return new TextCorpus(vocab, train, val, all.length - val.length, files);
  }

  private static List<Path> files(Path path) {
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      throw new DataException("data.path: no such file or directory: " + path);
    }
    try (Stream<Path> s = Files.list(path)) {
      List<Path> files = new ArrayList<>(s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !p.getFileName().toString().startsWith(".") && !p.getFileName().toString().endsWith(".dat"))
          .sorted().toList());
      if (files.isEmpty()) {
        throw new DataException("data.path: no text files in " + path);
      }
      return files;
    } catch (IOException e) {
      throw new DataException("data.path: cannot list " + path + ": " + e.getMessage());
    }
  }

  private static String read(Path f) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(f))).toString();
    } catch (CharacterCodingException e) {
      throw new DataException("file " + f + ": not UTF-8 text (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new DataException("file " + f + ": cannot read: " + e.getMessage());
    }
  }

  public CharVocabulary vocabulary() {
    return vocab;
  }

  /** Training text as character ids. Do not modify. */
  public int[] trainIds() {
    return train;
  }

  /** Validation text as character ids. Do not modify. */
  public int[] validationIds() {
    return validation;
  }

  public int droppedValidationChars() {
    return droppedValidationChars;
  }

  public int files() {
    return files;
  }

  /**
   * Validation windows as a dataset: sample i is ids [i·stride, i·stride + context + 1) (context inputs and the
   * next character), label = its last id. With stride = context every validation character after the first is
   * a target of exactly one position of a sequence model; an MLP model (one target per window) uses stride 1.
   * {@code limit} > 0 keeps the first {@code limit} windows (data.limit_test).
   */
  public Dataset validationWindows(int context, int stride, int limit) {
    int n = (validation.length - context - 1) / stride + 1;
    n = limit > 0 ? Math.min(n, limit) : n;
    float[] x = new float[n * (context + 1)];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= context; j++) {
        x[i * (context + 1) + j] = validation[i * stride + j];
      }
      labels[i] = validation[i * stride + context];
    }
    return new Dataset("validation", x, labels, context + 1, vocab.size());
  }

  /** Cross-entropy of the validation text under the training text's character frequencies, in bits/char. */
  public double unigramBitsPerChar() {
    long[] counts = new long[vocab.size()];
    for (int id : train) {
      counts[id]++;
    }
    double bits = 0;
    for (int id : validation) {
      bits -= Math.log((double) counts[id] / train.length);
    }
    return bits / validation.length / Math.log(2);
  }
}
