package dev.lockstep.config;

import java.util.List;

/**
 * objective: the loss, by name, with the settings of the objectives that have any, the regularisation added to
 * it, and the evaluation metrics it reports.
 *
 * <ul>
 *   <li>{@code label_smoothing} ε in [0, 1) and per-class {@code weights}: cross_entropy only.
 *   <li>{@code delta}: huber's switch point from squared to linear.
 *   <li>{@code multiclass} crammer_singer | one_vs_rest and {@code squared}: hinge.
 *   <li>{@code l2}, {@code l1}: λ·Σw² and λ·Σ|w| over the linear layers' weights (not biases), added to the loss.
 *   <li>{@code top_k}: also report top-k accuracy (0 = off); {@code confusion_matrix}: write it to summary.json.
 * </ul>
 */
public record ObjectiveConfig(
    String type,
    Double labelSmoothing,
    List<Double> weights,
    Double delta,
    String multiclass,
    Boolean squared,
    Double l2,
    Double l1,
    Integer topK,
    Boolean confusionMatrix) {
  public ObjectiveConfig {
    type = type != null ? type : "cross_entropy";
    labelSmoothing = labelSmoothing != null ? labelSmoothing : 0.0;
    weights = weights != null ? List.copyOf(weights) : List.of();
    delta = delta != null ? delta : 1.0;
    multiclass = multiclass != null ? multiclass : "crammer_singer";
    squared = squared != null ? squared : false;
    l2 = l2 != null ? l2 : 0.0;
    l1 = l1 != null ? l1 : 0.0;
    topK = topK != null ? topK : 0;
    confusionMatrix = confusionMatrix != null ? confusionMatrix : false;
  }

  /** The objective {@code type} with every setting at its default. */
  public static ObjectiveConfig of(String type) {
    return new ObjectiveConfig(type, null, null, null, null, null, null, null, null, null);
  }
}
