/**
 * Sequence layers for character-level language models and the builder that knows them. A row of the
 * sequential {@link dev.lockstep.nn.Model} is T positions × C channels ({@code width = T·C}); an input row is
 * T token ids stored as floats. Sits just above {@code nn}: uses nn, tensor and config.
 *
 * <p>The embedding, layer-norm and attention arithmetic runs on the host in plain Java (download, compute,
 * upload: a copy on the CPU backend); the matrix multiplies of the blocks go through {@code Backend.gemm}.
 */
package dev.lockstep.lm;
