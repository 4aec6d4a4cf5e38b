"""PyTorch DDP (gloo, CPU) baseline for bench/cnn-throughput.sh: the model of configs/fashion-mnist-cnn.yaml,
batch 64 per rank, Adam, cross-entropy, NP processes with 1 intra-op thread each (lockstep's threads: 0 gives
cores / ranks), random inputs of Fashion-MNIST's shape. Prints one line: samples/s over the timed steps (all ranks).
Usage: python3 bench/torch_cnn_ddp.py [NP] [STEPS] [WARMUP]
"""
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def model():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(3136, 128), torch.nn.ReLU(), torch.nn.Dropout(0.25),
        torch.nn.Linear(128, 10))


def worker(rank, np_, steps, warmup, batch, result):
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // np_))
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = "29531"
    dist.init_process_group("gloo", rank=rank, world_size=np_)
    torch.manual_seed(42)
    net = torch.nn.parallel.DistributedDataParallel(model())
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(rank)
    x = torch.randn(batch, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (batch,), generator=g)
    for i in range(warmup + steps):
        if i == warmup:
            dist.barrier()
            start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss_fn(net(x), y).backward()
        opt.step()
    dist.barrier()
    if rank == 0:
        result.put(np_ * batch * steps / (time.perf_counter() - start))
    dist.destroy_process_group()


if __name__ == "__main__":
    np_ = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    mp.spawn(worker, args=(np_, steps, warmup, 64, q), nprocs=np_, join=True)
    print(f"torch {torch.__version__} ddp gloo np={np_} threads/rank={max(1, (os.cpu_count() or 1) // np_)} "
          f"samples_per_s={q.get():.1f}")
