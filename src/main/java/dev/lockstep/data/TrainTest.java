package dev.lockstep.data;

/** The two splits of one dataset; both have the same width and number of classes. */
public record TrainTest(Dataset train, Dataset test) {}
