package dev.lockstep.tensor;

import dev.lockstep.tensor.CudaKernels.Name;

/** {@link SequenceKernels} on a {@link CudaBackend}: launches {@link CudaSequenceKernels} on its stream. */
final class CudaSequences implements SequenceKernels {
  private final CudaBackend be;
  private final int maxBlocks;

  CudaSequences(CudaBackend be, int maxBlocks) {
    this.be = be;
    this.maxBlocks = maxBlocks;
  }

  @Override
  public void embeddingForward(Buf ids, Buf table, Buf pos, Buf y, int rows, int positions, int channels) {
    long n = (long) rows * channels;
    CudaBuf i = be.own("embedding ids", ids, rows);
    CudaBuf t = be.own("embedding table", table, channels);
    long p = pos == null ? 0 : be.own("embedding positions", pos, (long) positions * channels).address();
    CudaBuf out = be.own("embedding output", y, n);
    if (n == 0) {
      return;
    }
    be.launcher().ptr(i.address()).ptr(t.address()).ptr(p).ptr(out.address()).i32(rows).i32(positions)
        .i32(channels).launch(fn(Name.EMBEDDING_FORWARD), Name.EMBEDDING_FORWARD.cName, blocks(n), 1,
            CudaKernels.BLOCK, 1, be.stream());
  }

  @Override
  public void embeddingBackward(Buf ids, Buf dy, Buf dTable, Buf dPos, int rows, int positions, int vocab,
                                int channels) {
    CudaBuf i = be.own("embedding ids", ids, rows);
    CudaBuf g = be.own("embedding dy", dy, (long) rows * channels);
    CudaBuf dt = be.own("embedding table gradient", dTable, (long) vocab * channels);
    long n = (long) vocab * channels;
    be.launcher().ptr(i.address()).ptr(g.address()).ptr(dt.address()).i32(rows).i32(vocab).i32(channels)
        .launch(fn(Name.EMBEDDING_BACKWARD_TABLE), Name.EMBEDDING_BACKWARD_TABLE.cName, blocks(n), 1,
            CudaKernels.BLOCK, 1, be.stream());
    if (dPos != null) {
      CudaBuf dp = be.own("embedding position gradient", dPos, (long) positions * channels);
      long m = (long) positions * channels;
      be.launcher().ptr(g.address()).ptr(dp.address()).i32(rows).i32(positions).i32(channels)
          .launch(fn(Name.EMBEDDING_BACKWARD_POS), Name.EMBEDDING_BACKWARD_POS.cName, blocks(m), 1,
              CudaKernels.BLOCK, 1, be.stream());
    }
  }

  @Override
  public void layerNormForward(Buf x, Buf gamma, Buf beta, Buf y, int rows, int channels, double eps) {
    long n = (long) rows * channels;
    CudaBuf xb = be.own("layer_norm x", x, n);
    CudaBuf gb = be.own("layer_norm gamma", gamma, channels);
    CudaBuf bb = be.own("layer_norm beta", beta, channels);
    CudaBuf yb = be.own("layer_norm y", y, n);
    if (rows == 0) {
      return;
    }
    be.launcher().ptr(xb.address()).ptr(gb.address()).ptr(bb.address()).ptr(yb.address()).i32(rows).i32(channels)
        .f64(eps).launch(fn(Name.LAYER_NORM_FORWARD), Name.LAYER_NORM_FORWARD.cName, warpRows(rows), 1,
            CudaKernels.BLOCK, 1, be.stream());
  }

  @Override
  public void layerNormBackward(Buf x, Buf gamma, Buf dy, Buf dx, Buf dGammaBeta, Buf scratch, int rows,
                                int channels, double eps) {
    long n = (long) rows * channels;
    CudaBuf xb = be.own("layer_norm x", x, n);
    CudaBuf gb = be.own("layer_norm gamma", gamma, channels);
    CudaBuf dyb = be.own("layer_norm dy", dy, n);
    long dxAddress = dx == null ? 0 : be.own("layer_norm dx", dx, n).address();
    be.own("layer_norm dgamma/dbeta", dGammaBeta, 2L * channels);
    CudaBuf terms = be.own("layer_norm scratch", scratch, 2 * n);
    if (rows == 0) {
      return;
    }
    be.launcher().ptr(xb.address()).ptr(gb.address()).ptr(dyb.address()).ptr(dxAddress).ptr(terms.address())
        .i32(rows).i32(channels).f64(eps).launch(fn(Name.LAYER_NORM_BACKWARD), Name.LAYER_NORM_BACKWARD.cName,
            warpRows(rows), 1, CudaKernels.BLOCK, 1, be.stream());
    be.sumRows(terms.view(0, 2 * n), dGammaBeta.view(0, 2L * channels), rows, 2 * channels, 1f);
  }

  @Override
  public void attentionForward(Buf qkv, Buf y, Buf weights, int batch, int positions, int heads, int headSize) {
    int c = heads * headSize;
    checkPositions(positions);
    CudaBuf x = be.own("attention qkv", qkv, (long) batch * positions * 3 * c);
    CudaBuf out = be.own("attention y", y, (long) batch * positions * c);
    CudaBuf w = be.own("attention weights", weights, SequenceKernels.attentionScratchFloats(batch, positions,
        heads));
    if (batch == 0) {
      return;
    }
    be.launcher().ptr(x.address()).ptr(out.address()).ptr(w.address()).i32(batch).i32(positions).i32(heads)
        .i32(headSize).f64(1.0 / Math.sqrt(headSize))
        .launch(fn(Name.ATTENTION_FORWARD), Name.ATTENTION_FORWARD.cName, batch * heads * positions, 1,
            CudaKernels.WARP, 1, be.stream());
  }

  @Override
  public void attentionBackward(Buf qkv, Buf dy, Buf weights, Buf dz, Buf dqkv, int batch, int positions,
                                int heads, int headSize) {
    int c = heads * headSize;
    checkPositions(positions);
    long floats = SequenceKernels.attentionScratchFloats(batch, positions, heads); // B·H·T² doubles
    CudaBuf x = be.own("attention qkv", qkv, (long) batch * positions * 3 * c);
    CudaBuf g = be.own("attention dy", dy, (long) batch * positions * c);
    CudaBuf w = be.own("attention weights", weights, floats);
    CudaBuf z = be.own("attention dz", dz, floats);
    CudaBuf dx = be.own("attention dqkv", dqkv, (long) batch * positions * 3 * c);
    if (batch == 0) {
      return;
    }
    int blocks = batch * heads * positions;
    double scale = 1.0 / Math.sqrt(headSize);
    be.launcher().ptr(x.address()).ptr(g.address()).ptr(w.address()).ptr(z.address()).ptr(dx.address()).i32(batch)
        .i32(positions).i32(heads).i32(headSize).f64(scale)
        .launch(fn(Name.ATTENTION_BACKWARD_QUERY), Name.ATTENTION_BACKWARD_QUERY.cName, blocks, 1, CudaKernels.WARP, 1,
            be.stream());
    be.launcher().ptr(x.address()).ptr(g.address()).ptr(w.address()).ptr(z.address()).ptr(dx.address()).i32(batch)
        .i32(positions).i32(heads).i32(headSize)
        .launch(fn(Name.ATTENTION_BACKWARD_KEY), Name.ATTENTION_BACKWARD_KEY.cName, blocks, 1, CudaKernels.WARP, 1,
            be.stream());
  }

  private static void checkPositions(int positions) {
    if (positions > CudaSequenceKernels.MAX_POSITIONS) {
      throw new IllegalArgumentException("causal attention on CUDA: " + positions + " positions, at most "
          + CudaSequenceKernels.MAX_POSITIONS + " (data.context)");
    }
  }

  private org.bytedeco.cuda.cudart.CUfunc_st fn(Name name) {
    return be.kernels().get(name);
  }

  private int blocks(long n) {
    return (int) Math.max(1, Math.min((n + CudaKernels.BLOCK - 1) / CudaKernels.BLOCK, maxBlocks));
  }

  private static int warpRows(int rows) {
    int perBlock = CudaKernels.BLOCK / CudaKernels.WARP;
    return (rows + perBlock - 1) / perBlock;
  }
}
