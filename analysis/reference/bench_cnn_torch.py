"""PyTorch's CPU training throughput for the issue-13 CNN, the reference InfoPlane's
SequentialNetwork is measured against (CNNBenchmark in Tests/LearningTests).

conv16(3×3, same) – ReLU – maxpool 2 – conv32(3×3, same) – ReLU – maxpool 2 – flatten –
dense128 – ReLU – dense10, softmax cross-entropy, Adam (lr 1e-3), batch 128, on random
1×28×28 images (the Fashion-MNIST shape) and random labels, one thread. Each round is one
"epoch" over BATCHES × BATCH samples in a fresh random order (gathered by index, as the Swift
trainer does); the first round is a warm-up. Prints one JSON line:
{"implementation": "pytorch", "samples_per_second": median over the timed rounds, ...}.

torch is not in analysis/requirements.txt (it is 5.4 GB); make a venv of its own:
  python3 -m venv /work/torchenv && /work/torchenv/bin/pip install torch numpy
  /work/torchenv/bin/python analysis/reference/bench_cnn_torch.py
"""

import argparse
import json
import statistics
import time

import torch
from torch import nn


def network() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40, help="minibatches per round")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds after one warm-up round")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    n = args.batches * args.batch_size
    images = torch.rand(n, 1, 28, 28)
    labels = torch.randint(0, 10, (n,))
    model = network()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = nn.CrossEntropyLoss()

    rates = []
    for round_ in range(args.rounds + 1):
        order = torch.randperm(n)
        start = time.perf_counter()
        for b in range(args.batches):
            index = order[b * args.batch_size:(b + 1) * args.batch_size]
            x, y = images[index], labels[index]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(model(x), y)
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        if round_ > 0:
            rates.append(n / seconds)
    print(json.dumps({
        "implementation": "pytorch", "torch": torch.__version__,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(), "threads": torch.get_num_threads(),
        "batch_size": args.batch_size, "samples_per_round": n,
        "samples_per_second": round(statistics.median(rates), 1),
        "rounds": [round(r, 1) for r in rates]}))


if __name__ == "__main__":
    main()
