package dev.lockstep.tensor;

/** Pointwise nonlinearities every backend implements, forward and backward. */
public enum Activation {
  RELU, TANH, SIGMOID, GELU;
}
