package dev.lockstep.tensor;

import static dev.lockstep.tensor.CudaErrors.cuda;

import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.global.cudart;

/**
 * A captured sequence of a {@link CudaBackend}'s asynchronous operations, replayed with one launch: small
 * batches are bound by kernel-launch overhead, and a graph pays it once. Kernel arguments and GEMM scalars are
 * captured by value, so a graph replays exactly the same work on the same buffers.
 *
 * <p>Inside {@code work} only asynchronous operations are allowed: no upload/download/sumOfSquares/allFinite
 * (they wait for the stream) and nothing that allocates. Run the same work once before capturing so that
 * scratch buffers already have their size.
 */
public final class CudaGraph implements Backend.Replay {
  private final CudaBackend backend;
  private CUgraph_st graph;
  private CUgraphExec_st exec;

  private CudaGraph(CudaBackend backend, CUgraph_st graph, CUgraphExec_st exec) {
    this.backend = backend;
    this.graph = graph;
    this.exec = exec;
  }

  /** Records what {@code work} enqueues on the backend's stream (it runs nothing) and instantiates it. */
  public static CudaGraph capture(CudaBackend backend, Runnable work) {
    var stream = backend.stream();
    cuda(cudart.cudaStreamBeginCapture(stream, cudart.cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
    CUgraph_st graph = new CUgraph_st();
    try {
      work.run();
    } catch (RuntimeException | Error e) {
      cudart.cudaStreamEndCapture(stream, graph); // leave capture mode; the partial graph is discarded
      if (!graph.isNull()) {
        cudart.cudaGraphDestroy(graph);
      }
      throw e;
    }
    cuda(cudart.cudaStreamEndCapture(stream, graph), "cudaStreamEndCapture");
    CUgraphExec_st exec = new CUgraphExec_st();
    int rc = cudart.cudaGraphInstantiate(exec, graph, 0L);
    if (rc != 0) {
      cudart.cudaGraphDestroy(graph);
      cuda(rc, "cudaGraphInstantiate");
    }
    return new CudaGraph(backend, graph, exec);
  }

  /** Enqueues one replay on the backend's stream (asynchronous, like every other operation). */
  @Override
  public void launch() {
    if (exec == null) {
      throw new IllegalStateException("CUDA graph is closed");
    }
    cuda(cudart.cudaGraphLaunch(exec, backend.stream()), "cudaGraphLaunch");
  }

  @Override
  public void close() {
    if (exec != null) {
      cuda(cudart.cudaGraphExecDestroy(exec), "cudaGraphExecDestroy");
      exec = null;
    }
    if (graph != null) {
      cuda(cudart.cudaGraphDestroy(graph), "cudaGraphDestroy");
      graph = null;
    }
  }
}
