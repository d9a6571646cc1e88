#!/usr/bin/env python3
"""PyTorch on CPU as a training-speed yardstick for InfoPlane's MLP: the network, batch size,
optimiser and epoch of analysis/reference/train_numpy.py (784-hidden-10, He-normal ReLU layers,
zero biases, softmax cross-entropy, Adam, one update per minibatch with the last partial batch
included, each epoch followed by the test evaluation), in float32 on one thread.

    OPENBLAS_NUM_THREADS=1 python analysis/reference/train_torch.py \\
        --data /usr/share/datasets/fashion-mnist --hidden 64,64,64 --batch-size 128 --epochs 1 --lr 1e-3

Prints one JSON line like train_numpy.py's: `seconds` covers the training epochs and their test
evaluations, `samples_per_second` is training samples x epochs / seconds. Without torch it prints
{"implementation": "pytorch", "skipped": "..."} and exits 0, so benchmarks can go on without it.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_numpy import load_data  # noqa: E402  (same data, same reading)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="directory with the four MNIST-style IDX files (.gz or raw)")
    parser.add_argument("--synthetic", type=int, metavar="N", help="N random training samples instead of --data")
    parser.add_argument("--hidden", default="64,64,64")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        import torch
        from torch import nn
    except ImportError:
        print(json.dumps({"implementation": "pytorch", "skipped": f"torch is not installed for {sys.executable} "
                          "(pip install torch; .ci/setup.sh puts it in .venv)"}))
        return 0
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = load_data(args, parser)
    hidden = [int(w) for w in args.hidden.split(",") if w]
    classes = int(max(y_train.max(), y_test.max())) + 1
    widths = [x_train.shape[1]] + hidden + [classes]
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
        linear = nn.Linear(fan_in, fan_out)
        nn.init.normal_(linear.weight, 0.0, (2.0 / fan_in) ** 0.5)
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i + 2 < len(widths):
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_function = nn.CrossEntropyLoss()
    xs, ys = torch.from_numpy(x_train), torch.from_numpy(y_train)
    xt, yt = torch.from_numpy(x_test), torch.from_numpy(y_test)
    n = xs.shape[0]
    generator = torch.Generator().manual_seed(args.seed)
    test_accuracy = float("nan")
    started = time.perf_counter()
    for _ in range(args.epochs):
        model.train()
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, args.batch_size):
            index = order[start:start + args.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(model(xs[index]), ys[index])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            correct = sum(int((model(xt[s:s + 1000]).argmax(1) == yt[s:s + 1000]).sum()) for s in range(0, xt.shape[0], 1000))
        test_accuracy = correct / xt.shape[0]
    seconds = time.perf_counter() - started
    print(json.dumps({
        "implementation": "pytorch " + torch.__version__, "threads": torch.get_num_threads(),
        "data": args.data or f"synthetic {args.synthetic}", "hidden": hidden, "batch_size": args.batch_size,
        "epochs": args.epochs, "lr": args.lr, "seconds": round(seconds, 4),
        "samples_per_second": round(n * args.epochs / seconds, 1), "test_accuracy": test_accuracy,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
