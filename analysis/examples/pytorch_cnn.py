"""A PyTorch CNN's Sliced Information Plane, from training to figure (README, "For PyTorch users").

A small CNN learns Fashion-MNIST (Debian's dataset-fashion-mnist) for 3 epochs on the CPU. An
`infoplane.Recorder` records three layers — the first conv block's feature maps, the second's, and
the dense layer — on 2,000 test images before training and after each epoch; `infoplane.analyze`
measures the plane on 2 MPI ranks, and `infoplane.plot_plane` draws it. About a minute:

    .venv/bin/python analysis/examples/pytorch_cnn.py              # → runs/pytorch-cnn/
    .venv/bin/python analysis/examples/pytorch_cnn.py --out /tmp/cnn --ranks 4

INFOPLANE_EXAMPLE_QUICK=1 shrinks everything (the test suite runs it so, in seconds).
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

import infoplane
from infoplane.analysis import find_binary

QUICK = os.environ.get("INFOPLANE_EXAMPLE_QUICK") == "1"
#: Training images, evaluation images, epochs, slices (the quick run's in the second column).
TRAIN, EVALUATION, EPOCHS, SLICES = (10_000, 2_000, 3, 400) if not QUICK else (1_000, 300, 1, 24)


def read_idx(path):
    """An IDX file (gzip), as MNIST and Fashion-MNIST are distributed: a uint8 array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(f">{dims}I", data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion_mnist(folder):
    """(train images, train labels, test images, test labels): images N × 1 × 28 × 28 in [0, 1]."""
    if not os.path.isfile(os.path.join(folder, "t10k-labels-idx1-ubyte.gz")):
        raise infoplane.InputError(f"no Fashion-MNIST in {folder}: apt-get install dataset-fashion-mnist "
                                   "(bash .ci/setup.sh does), or give --data FOLDER")
    def images(name):
        return torch.from_numpy(read_idx(os.path.join(folder, name)).astype(np.float32) / 255).unsqueeze(1)

    def labels(name):
        return torch.from_numpy(read_idx(os.path.join(folder, name)).astype(np.int64))

    return (images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz"),
            images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz"))


class CNN(nn.Module):
    """Two conv blocks (5×5 conv, ReLU, 2×2 max-pool) and a dense layer of 64 units."""

    def __init__(self):
        super().__init__()
        self.block1 = nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2))    # 8 × 14 × 14
        self.block2 = nn.Sequential(nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2))   # 16 × 7 × 7
        self.dense = nn.Sequential(nn.Flatten(), nn.Linear(16 * 7 * 7, 64), nn.ReLU())
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        return self.out(self.dense(self.block2(self.block1(x))))


def evaluate(model, x, y):
    """(mean loss, accuracy) on a whole set, in eval mode."""
    model.eval()
    with torch.no_grad():
        logits = model(x)
    model.train()
    return nn.functional.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="runs/pytorch-cnn", help="run directory (default: runs/pytorch-cnn)")
    parser.add_argument("--ranks", type=int, default=2, help="MPI ranks of the analysis (default 2)")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="the Fashion-MNIST IDX files")
    args = parser.parse_args()

    find_binary()  # a missing binary is said now, not after training
    torch.manual_seed(0)
    x_train, y_train, x_test, y_test = fashion_mnist(args.data)
    chosen = torch.randperm(len(x_train))[:TRAIN]
    x_train, y_train = x_train[chosen], y_train[chosen]
    x_eval, y_eval = x_test[:EVALUATION], y_test[:EVALUATION]

    model = CNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    layers = {"conv1": model.block1, "conv2": model.block2, "dense": model.dense}
    config = {"name": "pytorch-cnn", "model": "2 conv blocks (8, 16 channels) + dense 64", "optimizer": "Adam 2e-3",
              "batch_size": 128, "epochs": EPOCHS, "train_images": TRAIN, "evaluation_images": EVALUATION}
    with infoplane.Recorder(args.out, x_eval, labels=y_eval, layers=layers, config=config) as recorder:
        recorder.snapshot(model, 0)                              # the initial network
        for epoch in range(1, EPOCHS + 1):
            start, order = time.time(), torch.randperm(TRAIN)
            total, correct = 0.0, 0
            for batch in order.split(128):
                optimizer.zero_grad()
                logits = model(x_train[batch])
                loss = nn.functional.cross_entropy(logits, y_train[batch])
                loss.backward()
                optimizer.step()
                total += loss.item() * len(batch)
                correct += (logits.argmax(1) == y_train[batch]).sum().item()
            test_loss, test_accuracy = evaluate(model, x_eval, y_eval)
            recorder.log(epoch, train_loss=total / TRAIN, train_accuracy=correct / TRAIN, test_loss=test_loss,
                         test_accuracy=test_accuracy, seconds=time.time() - start)
            recorder.snapshot(model, epoch)
            print(f"epoch {epoch}: train loss {total / TRAIN:.3f}, test accuracy {100 * test_accuracy:.1f}%", flush=True)

    plane = infoplane.analyze(recorder.path, ranks=args.ranks, slices=SLICES, seed=0, force=True)
    figure = infoplane.plot_plane(plane)
    table = infoplane.read_plane(plane)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"plane: {plane}; figure: {figure['files'][0]}")


if __name__ == "__main__":
    try:
        main()
    except (infoplane.InputError, infoplane.AnalysisError) as error:
        sys.exit(f"error: {error}")
