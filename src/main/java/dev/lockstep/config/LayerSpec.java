package dev.lockstep.config;

/**
 * One layer: {@code {type: linear, units: 1024, init: he}} or an activation {@code {type: relu}}
 * (relu, tanh, sigmoid, gelu). init: he | xavier (default: he before relu/gelu, xavier otherwise).
 *
 * <p>Sequence layers (character-level language models, data.format text): {@code {type: embedding, units: C,
 * positional: true}} (token ids → C channels per position, plus learned position vectors when positional),
 * {@code {type: layer_norm}}, {@code {type: transformer_block, heads: H}} (pre-LN causal self-attention + MLP,
 * residuals), {@code {type: lm_head}} (per position: channels → vocabulary logits).
 */
public record LayerSpec(String type, Integer units, String init, Integer heads, Boolean positional) {
  /** A linear layer or an activation: the fields of a plain MLP. */
  public LayerSpec(String type, Integer units, String init) {
    this(type, units, init, null, null);
  }
}
