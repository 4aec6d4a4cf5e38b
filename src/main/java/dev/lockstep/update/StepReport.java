package dev.lockstep.update;

/** What one rank measured in its step, before combining with the others: loss summed over its rows, etc. */
public record StepReport(double lossSum, int correct, int rows, double computeSeconds) {}
