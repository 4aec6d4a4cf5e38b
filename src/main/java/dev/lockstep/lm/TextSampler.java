package dev.lockstep.lm;

import dev.lockstep.checkpointing.StepExecutor;
import dev.lockstep.data.CharVocabulary;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.SplittableRandom;

/**
 * Generates text one character at a time from a trained language model. The model sees the last
 * {@code context} characters: a sequence model reads its logits at the last filled position (causal attention
 * makes the unfilled positions after it irrelevant); an MLP model (one prediction per window) gets the
 * history left-padded with newlines. Each next character is drawn from softmax(logits / temperature),
 * restricted to the top-k logits when k > 0; temperature 0 takes the most likely character.
 */
public final class TextSampler {
  private final Model model;
  private final Backend be;
  private final CharVocabulary vocab;
  private final int context;
  private final int positions; // 1 (MLP model) or context (sequence model)
  private final StepExecutor executor;
  private final Buf x; // [1, context]

  public TextSampler(Model model, Parameters params, Backend be, CharVocabulary vocab) {
    this.model = model;
    this.be = be;
    this.vocab = vocab;
    this.context = model.inputWidth();
    this.positions = model.outputWidth() / vocab.size();
    this.executor = new StepExecutor(model, params, be, 1);
    this.x = be.allocate(context);
  }

  /** The prompt followed by {@code length} generated characters. */
  public String generate(String prompt, int length, double temperature, int topK, long seed) {
    int pad = vocab.id('\n') >= 0 ? vocab.id('\n') : 0;
    int[] ids = prompt.codePoints().map(cp -> {
      int id = vocab.id(cp);
      if (id < 0) {
        throw new IllegalArgumentException("--prompt: character '" + new String(Character.toChars(cp))
            + "' is not in the model's vocabulary");
      }
      return id;
    }).toArray();
    int[] history = new int[ids.length + length + 1];
    int n = 0;
    if (ids.length == 0) {
      history[n++] = pad; // start as a fortune starts: after a newline
    }
    for (int id : ids) {
      history[n++] = id;
    }
    StringBuilder out = new StringBuilder(prompt);
    SplittableRandom rng = new SplittableRandom(seed);
    float[] window = new float[context];
    float[] logits = new float[model.outputWidth()];
    for (int k = 0; k < length; k++) {
      int filled = Math.min(n, context);
      java.util.Arrays.fill(window, pad);
      int offset = positions == 1 ? context - filled : 0; // MLP: right-aligned; sequence: from position 0
      for (int i = 0; i < filled; i++) {
        window[offset + i] = history[n - filled + i];
      }
      be.upload(window, 0, x);
      Buf y = executor.infer(x, 1);
      be.download(y, logits, 0);
      int row = positions == 1 ? 0 : filled - 1;
      int next = draw(logits, row * vocab.size(), temperature, topK, rng);
      history[n++] = next;
      out.append(vocab.decode(next));
    }
    return out.toString();
  }

  private int draw(float[] logits, int base, double temperature, int topK, SplittableRandom rng) {
    int v = vocab.size();
    if (temperature <= 0) {
      int best = 0;
      for (int c = 1; c < v; c++) {
        best = logits[base + c] > logits[base + best] ? c : best;
      }
      return best;
    }
    double cutoff = Double.NEGATIVE_INFINITY;
    if (topK > 0 && topK < v) {
      float[] sorted = java.util.Arrays.copyOfRange(logits, base, base + v);
      java.util.Arrays.sort(sorted);
      cutoff = sorted[v - topK];
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < v; c++) {
      max = Math.max(max, logits[base + c]);
    }
    double[] p = new double[v];
    double sum = 0;
    for (int c = 0; c < v; c++) {
      p[c] = logits[base + c] < cutoff ? 0 : Math.exp((logits[base + c] - max) / temperature);
      sum += p[c];
    }
    double u = rng.nextDouble() * sum;
    for (int c = 0; c < v; c++) {
      u -= p[c];
      if (u < 0) {
        return c;
      }
    }
    return v - 1;
  }
}
