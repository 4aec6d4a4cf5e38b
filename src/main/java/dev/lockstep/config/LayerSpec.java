package dev.lockstep.config;

/**
 * One layer: {@code {type: linear, units: 1024, init: he}} or an activation {@code {type: relu}}
 * (relu, tanh, sigmoid, gelu). init: he | xavier (default: he before relu/gelu, xavier otherwise).
 */
public record LayerSpec(String type, Integer units, String init) {}
