package dev.lockstep.tensor;

/**
 * Device kernels for the language-model layers ({@code dev.lockstep.lm}), so that a character LM step makes no
 * host round trips: the layers call these when their backend offers them ({@link Backend#sequenceKernels}) and
 * keep their host code otherwise (the CPU backend, whose buffers are host memory). Shapes follow the layers:
 * B batch rows, T positions, C channels, H heads of d = C / H channels, V vocabulary entries. Gradients are
 * <em>added</em> into the bound gradient slices, as every layer's backward does.
 */
public interface SequenceKernels {
  /**
   * ids: [rows] token ids stored as floats (valid ids: the data pipeline maps text through the vocabulary);
   * table: [V, C]; pos: [T, C] or null; y: [rows, C] = table[id] (+ pos[row % T]).
   */
  void embeddingForward(Buf ids, Buf table, Buf pos, Buf y, int rows, int positions, int channels);

  /** dTable[v] += Σ_{rows with id v} dy[row]; dPos (null when not positional)[t] += Σ_{row % T = t} dy[row]. */
  void embeddingBackward(Buf ids, Buf dy, Buf dTable, Buf dPos, int rows, int positions, int vocab, int channels);

  /** Per row of x: [rows, C]: y = γ ⊙ (x − μ)/√(σ² + eps) + β. */
  void layerNormForward(Buf x, Buf gamma, Buf beta, Buf y, int rows, int channels, double eps);

  /**
   * dx (may be null) = rstd·(d − mean(d) − x̂·mean(d·x̂)) with d = dy ⊙ γ; adds Σ_rows dy ⊙ x̂ into dGamma and
   * Σ_rows dy into dBeta ({@code dGammaBeta}: [2C], γ's then β's), through {@code scratch} of rows·2C floats.
   */
  void layerNormBackward(Buf x, Buf gamma, Buf dy, Buf dx, Buf dGammaBeta, Buf scratch, int rows, int channels,
                         double eps);

  /**
   * Causal attention core: qkv: [B, T, 3C] → y: [B, T, C], per head y_t = Σ_{u ≤ t} softmax_u(q_t·k_u/√d) v_u.
   * {@code weights} ({@link #attentionScratchFloats} floats) keeps the weights for backward.
   */
  void attentionForward(Buf qkv, Buf y, Buf weights, int batch, int positions, int heads, int headSize);

  /** dqkv: [B, T, 3C] from dy: [B, T, C], the weights of the last forward on the same qkv and {@code dz} scratch. */
  void attentionBackward(Buf qkv, Buf dy, Buf weights, Buf dz, Buf dqkv, int batch, int positions, int heads,
                         int headSize);

  /** Floats to allocate for attentionForward's weights, and again for attentionBackward's dz: B·H·T² doubles. */
  static long attentionScratchFloats(int batch, int positions, int heads) {
    return 2L * batch * heads * positions * positions;
  }
}
