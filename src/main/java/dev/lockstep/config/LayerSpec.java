package dev.lockstep.config;

/**
 * One layer: {@code {type: linear, units: 1024, init: he}} or an activation {@code {type: relu}}
 * (relu, tanh, sigmoid, gelu). init: he | xavier (default: he before relu/gelu, xavier otherwise).
 *
 * <p>Sequence layers (character-level language models, data.format text): {@code {type: embedding, units: C,
 * positional: true}} (token ids → C channels per position, plus learned position vectors when positional),
 * {@code {type: layer_norm}}, {@code {type: transformer_block, heads: H}} (pre-LN causal self-attention + MLP,
 * residuals), {@code {type: lm_head}} (per position: channels → vocabulary logits).
 *
 * <p>Image layers (NCHW; the data gives the image shape): {@code {type: conv2d, channels: 32, kernel: 3, stride: 1,
 * padding: 1}}, {@code {type: max_pool2d, kernel: 2}} and {@code avg_pool2d} (stride defaults to kernel, padding to
 * 0), {@code {type: flatten}}, {@code {type: dropout, rate: 0.5}}, {@code {type: batch_norm, sync: false,
 * momentum: 0.1}} (per channel of an image, per feature after a linear layer).
 */
public record LayerSpec(String type, Integer units, String init, Integer heads, Boolean positional,
                        Integer channels, Integer kernel, Integer stride, Integer padding, Double rate, Boolean sync,
                        Double momentum) {
  /** A linear layer or an activation: the fields of a plain MLP. */
  public LayerSpec(String type, Integer units, String init) {
    this(type, units, init, null, null);
  }

  /** The fields of MLPs and sequence models (image keys unset). */
  public LayerSpec(String type, Integer units, String init, Integer heads, Boolean positional) {
    this(type, units, init, heads, positional, null, null, null, null, null, null, null);
  }

  /** The same layer with another init (the effective config states every linear layer's). */
  public LayerSpec withInit(String newInit) {
    return new LayerSpec(type, units, newInit, heads, positional, channels, kernel, stride, padding, rate, sync,
        momentum);
  }
}
