"""PyTorch baseline for the GPU step benchmarks (runs on the device machine, where python3 has torch).

Same work as dev.lockstep.tensor.CudaStepBench and bench/configs/mlp-step-bench.yaml: MLP 784-1024-1024-10,
softmax cross-entropy, SGD momentum 0.9, synthetic data, one process; 20 warm-up + 100 timed steps, median
ms/step (CUDA events), fp32 and TF32, eager and with the whole step captured in a CUDA graph (PyTorch's
"whole network capture": static input/target tensors, capturable optimizer step).
Usage: python3 bench/torch_mlp_baseline.py        Output lines: batch mode variant median-ms samples/s
"""
import statistics
import torch


def make(batch):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1024),
                                torch.nn.ReLU(), torch.nn.Linear(1024, 10)).cuda()
    x = torch.randn(batch, 784, device="cuda")
    y = torch.randint(0, 10, (batch,), device="cuda")
    return model, x, y


def timed(step, steps, warmup):
    times = []
    for i in range(warmup + steps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        step()
        end.record()
        end.synchronize()
        if i >= warmup:
            times.append(start.elapsed_time(end))
    return statistics.median(times)


def eager(batch, steps=100, warmup=20):
    model, x, y = make(batch)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()
    return timed(step, steps, warmup)


def graphed(batch, steps=100, warmup=20):
    model, x, y = make(batch)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):  # warm-up on a side stream, as the capture recipe asks
        for _ in range(3):
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            opt.step()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    opt.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        loss_fn(model(x), y).backward()
        opt.step()
    return timed(graph.replay, steps, warmup)


print(f"# PyTorch {torch.__version__} on {torch.cuda.get_device_name(0)}")
print(f"{'batch':<6} {'mode':<5} {'variant':<7} {'median ms':>10} {'samples/s':>12}")
for tf32 in (False, True):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    for batch in (128, 1024, 8192):
        for name, fn in (("eager", eager), ("graph", graphed)):
            try:
                ms = fn(batch)
                print(f"{batch:<6} {'tf32' if tf32 else 'fp32':<5} {name:<7} {ms:>10.3f} {batch / ms * 1000:>12.0f}",
                      flush=True)
            except Exception as e:  # a PyTorch without graph support still gives the eager figures
                print(f"# {batch} {'tf32' if tf32 else 'fp32'} {name}: {type(e).__name__}: {e}", flush=True)
