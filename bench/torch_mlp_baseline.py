"""PyTorch baseline for the GPU step benchmark (runs on the device machine, where python3 has torch).

Same work as dev.lockstep.tensor.CudaStepBench: MLP 784-1024-1024-10, softmax cross-entropy, SGD momentum 0.9,
synthetic data, one process; 20 warm-up + 100 timed steps, median ms/step (CUDA events), fp32 and TF32.
Usage: python3 bench/torch_mlp_baseline.py
"""
import statistics
import torch

def bench(batch, tf32, steps=100, warmup=20):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1024),
                                torch.nn.ReLU(), torch.nn.Linear(1024, 10)).cuda()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x = torch.randn(batch, 784, device="cuda")
    y = torch.randint(0, 10, (batch,), device="cuda")
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for i in range(warmup + steps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        end.record()
        end.synchronize()
        if i >= warmup:
            times.append(start.elapsed_time(end))
    return statistics.median(times)

print(f"# PyTorch {torch.__version__} on {torch.cuda.get_device_name(0)}")
print(f"{'batch':<6} {'mode':<5} {'median ms':>10} {'samples/s':>12}")
for tf32 in (False, True):
    for batch in (128, 1024, 8192):
        ms = bench(batch, tf32)
        print(f"{batch:<6} {'tf32' if tf32 else 'fp32':<5} {ms:>10.3f} {batch / ms * 1000:>12.0f}")
