#!/usr/bin/env python3
"""Reference trainer in numpy (float32) for InfoPlane's MLP, used as a correctness and speed yardstick.

It mirrors Sources/Learning: the same layer layout (W_l is fan_in x fan_out, Z = A W + b), the same
initialisation schemes (He normal N(0, 2/fan_in) for ReLU, Glorot uniform for tanh, zero biases),
softmax cross-entropy with the max-subtraction trick (or MSE over batch and outputs), Adam as in
Kingma & Ba's Algorithm 1 (or SGD with PyTorch-style momentum), coupled L2 weight decay, one
update per minibatch with the last partial batch included, and Keras-style train metrics (the
sample-weighted mean over the epoch's minibatches, each taken before its update).

Random numbers come from numpy's generator, not InfoPlane's Philox streams, so the two agree in
distribution, not bit for bit.

Benchmark (prints one JSON line):
    OPENBLAS_NUM_THREADS=1 python3 analysis/reference/train_numpy.py \\
        --data /usr/share/datasets/fashion-mnist --hidden 64,64,64 --batch-size 128 --epochs 1 --lr 1e-3
`seconds` covers the training epochs including each epoch's test evaluation (what InfoPlane's
EpochMetrics.seconds measures); `samples_per_second` is training samples x epochs / seconds.
"""

import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np

F32 = np.float32


def read_idx(path):
    """Reads a (possibly gzipped) IDX file into a numpy array of its stored dtype (uint8 here)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        data = handle.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {data[:4].hex()})")
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says {shape} but {body.size} bytes follow")
    return body.reshape(shape)


def find(directory, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{directory}: neither {stem}.gz nor {stem} exists")


def load_mnist_like(directory):
    """(x_train, y_train, x_test, y_test): pixels as float32 in [0, 1], rows flattened to 784."""
    def images(stem):
        raw = read_idx(find(directory, stem))
        return (raw.reshape(raw.shape[0], -1).astype(F32) / F32(255))

    def labels(stem):
        return read_idx(find(directory, stem)).astype(np.int64)

    return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))


def synthetic(n_train, n_test, features, classes, seed):
    """Uniform [0, 1) inputs with random labels: the shape of MNIST without reading it (speed only)."""
    rng = np.random.default_rng([seed, 1234])
    x = rng.random((n_train + n_test, features), dtype=F32)
    y = rng.integers(0, classes, n_train + n_test)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


class MLP:
    def __init__(self, widths, activation, seed):
        self.activation = activation
        self.weights, self.biases = [], []
        for layer in range(1, len(widths)):
            fan_in, fan_out = widths[layer - 1], widths[layer]
            rng = np.random.default_rng([seed, layer])  # one stream per layer, as in Swift
            if activation == "relu":  # He normal
                w = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
            else:  # Glorot uniform
                limit = np.sqrt(6.0 / (fan_in + fan_out))
                w = (2 * rng.random((fan_in, fan_out)) - 1) * limit
            self.weights.append(w.astype(F32))
            self.biases.append(np.zeros(fan_out, dtype=F32))

    def forward(self, x):
        """Layer outputs [A_1, ..., A_L, Z_out]; hidden layers are post-activation."""
        outputs, a = [], x
        last = len(self.weights) - 1
        for layer, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ w
            z += b
            if layer < last:
                if self.activation == "relu":
                    np.maximum(z, 0, out=z)
                else:
                    np.tanh(z, out=z)
            outputs.append(z)
            a = z
        return outputs

    def backward(self, x, outputs, delta, weight_decay):
        """Gradients (dW, db) per layer from dL/dZ_out = delta."""
        grads = [None] * len(self.weights)
        for layer in range(len(self.weights) - 1, -1, -1):
            previous = x if layer == 0 else outputs[layer - 1]
            dw = previous.T @ delta
            if weight_decay:
                dw += F32(weight_decay) * self.weights[layer]
            grads[layer] = (dw, delta.sum(axis=0))
            if layer > 0:  # the input layer's dA is never used
                delta = delta @ self.weights[layer].T
                if self.activation == "relu":
                    delta *= previous > 0
                else:
                    delta *= 1 - previous * previous
        return grads


def load_data(args, parser):
    """The arrays `--data DIR` (IDX files) or `--synthetic N` name: x_train, y_train, x_test, y_test."""
    if args.data:
        return load_mnist_like(args.data)
    if args.synthetic:
        return synthetic(args.synthetic, 10_000, 784, 10, args.seed)
    parser.error("give --data DIR or --synthetic N")


def loss_and_gradient(z, labels, targets, loss, want_gradient=True):
    """(sum of per-sample losses, correct count, dL/dz of the batch-mean loss)."""
    rows, width = z.shape
    correct = int((z.argmax(axis=1) == labels).sum()) if labels is not None else 0
    if loss == "cross-entropy":
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        per_sample = np.log(s[:, 0].astype(np.float64)) - shifted[np.arange(rows), labels].astype(np.float64)
        grad = None
        if want_gradient:
            grad = e * (F32(1.0 / rows) / s)
            grad[np.arange(rows), labels] -= F32(1.0 / rows)
        return per_sample.sum(), correct, grad
    y = targets if labels is None else np.eye(width, dtype=F32)[labels]
    diff = z - y
    per_sample = (diff.astype(np.float64) ** 2).sum(axis=1) / width
    grad = diff * F32(2.0 / (rows * width)) if want_gradient else None
    return per_sample.sum(), correct, grad


class Adam:
    def __init__(self, params, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, F32(beta1), F32(beta2), F32(eps)
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def update(self, params, grads, t):
        step = F32(self.lr / (1 - self.beta1.astype(np.float64) ** t))
        c2 = F32(1 / (1 - self.beta2.astype(np.float64) ** t))
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * (g * g)
            p -= step * m / (np.sqrt(v * c2) + self.eps)


class SGD:
    def __init__(self, params, lr, momentum):
        self.lr, self.momentum = F32(lr), F32(momentum)
        self.velocity = [np.zeros_like(p) for p in params]

    def update(self, params, grads, t):
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.momentum
            v += g
            p -= self.lr * v


def evaluate(model, x, labels, targets, loss, batch=1000):
    total, correct = 0.0, 0
    for start in range(0, x.shape[0], batch):
        z = model.forward(x[start:start + batch])[-1]
        part = loss_and_gradient(z, None if labels is None else labels[start:start + batch],
                                 None if targets is None else targets[start:start + batch], loss, False)
        total += part[0]
        correct += part[1]
    n = x.shape[0]
    return total / n, (correct / n if labels is not None else float("nan"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="directory with the four MNIST-style IDX files (.gz or raw)")
    parser.add_argument("--synthetic", type=int, metavar="N",
                        help="instead of --data: N random 784-feature training samples (10,000 test)")
    parser.add_argument("--hidden", default="64,64,64", help="hidden widths, comma-separated")
    parser.add_argument("--activation", choices=["relu", "tanh"], default="relu")
    parser.add_argument("--loss", choices=["cross-entropy", "mse"], default="cross-entropy")
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    parser.add_argument("--momentum", type=float, default=0.0)
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    x_train, y_train, x_test, y_test = load_data(args, parser)
    classes = int(max(y_train.max(), y_test.max())) + 1
    hidden = [int(w) for w in args.hidden.split(",") if w]
    if args.batch_size < 1 or args.epochs < 0 or not args.lr > 0 or any(w < 1 for w in hidden):
        parser.error("batch size >= 1, epochs >= 0, lr > 0 and every hidden width >= 1 are required")

    model = MLP([x_train.shape[1]] + hidden + [classes], args.activation, args.seed)
    params = [t for pair in zip(model.weights, model.biases) for t in pair]  # W1, b1, W2, b2, ...
    if args.optimizer == "adam":
        optimizer = Adam(params, args.lr)
    else:
        optimizer = SGD(params, args.lr, args.momentum)

    n, step = x_train.shape[0], 0
    batch_input = np.empty((args.batch_size, x_train.shape[1]), dtype=F32)
    train_loss = train_accuracy = test_loss = test_accuracy = float("nan")
    started = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        order = np.random.default_rng([args.seed, 7, epoch]).permutation(n)
        loss_sum, correct = 0.0, 0
        for start in range(0, n, args.batch_size):
            index = order[start:start + args.batch_size]
            x = np.take(x_train, index, axis=0, out=batch_input[:len(index)])
            y = y_train[index]
            outputs = model.forward(x)
            part_loss, part_correct, delta = loss_and_gradient(outputs[-1], y, None, args.loss)
            loss_sum += part_loss
            correct += part_correct
            grads = model.backward(x, outputs, delta, args.weight_decay)
            step += 1
            optimizer.update(params, [g for pair in grads for g in pair], step)
        train_loss, train_accuracy = loss_sum / n, correct / n
        test_loss, test_accuracy = evaluate(model, x_test, y_test, None, args.loss)
    seconds = time.perf_counter() - started

    print(json.dumps({
        "implementation": "numpy " + np.__version__,
        "data": args.data or f"synthetic {args.synthetic}",
        "hidden": hidden, "batch_size": args.batch_size, "epochs": args.epochs, "lr": args.lr,
        "optimizer": args.optimizer, "loss": args.loss, "activation": args.activation,
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "seconds": round(seconds, 4),
        "samples_per_second": round(n * args.epochs / seconds, 1) if seconds > 0 else None,
        "final_train_loss": train_loss, "final_train_accuracy": train_accuracy,
        "test_loss": test_loss, "test_accuracy": test_accuracy,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
