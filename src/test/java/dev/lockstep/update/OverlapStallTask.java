package dev.lockstep.update;

import dev.lockstep.checkpointing.StepExecutor;
import dev.lockstep.comm.Communicator;
import dev.lockstep.comm.MpjCommunicator;
import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import dev.lockstep.launch.RankTask;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.optim.Sgd;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import java.util.List;

/**
 * Runs inside real multicore ranks (started by {@link OverlapTest}): rank 0 runs backward with overlap, so its
 * communication thread allreduces the first bucket, while rank 1 stalls before backward; deadline 1 s.
 */
public final class OverlapStallTask implements RankTask {
  @Override
  public int run(Communicator comm, String[] args) throws InterruptedException {
    MpjCommunicator mpj = (MpjCommunicator) comm;
    try (Backend be = CpuBackend.create(1)) {
      Model model = Model.build(new ModelConfig(List.of(new LayerSpec("linear", 8, null),
          new LayerSpec("relu", null, null), new LayerSpec("linear", 3, null))), 5);
      Parameters params = new Parameters(model, be);
      params.initialize(1);
      try (SyncUpdate update = new SyncUpdate(comm, be, params, new Sgd(be, params.length(), 0, false, 0), 64)) {
        update.initialize();
        mpj.setTimeoutSeconds(1);
        if (comm.rank() == 1) {
          Thread.sleep(60_000);
        }
        StepExecutor executor = new StepExecutor(model, params, be, 2);
        executor.setGradientListener(update.gradientListener());
        Buf x = be.allocate(2 * 5);
        Buf dOut = be.allocate(2 * 3);
        be.fill(x, 0.5f);
        be.fill(dOut, 0.25f);
        executor.forward(x, 2);
        executor.backward(dOut, 2);
        update.apply(new StepReport(1, 1, 2, 0.001), 0.1f);
        System.out.println("rank 0: apply returned without its peer");
      }
    }
    return 0;
  }
}
