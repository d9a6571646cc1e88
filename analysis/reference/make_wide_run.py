"""Writes a conv-scale run file with h5py, as a PyTorch user would: the input of the wide-layer
benchmark (docs/benchmarks.md) and of the wide-layer identity tests.

    python analysis/reference/make_wide_run.py OUT.h5 [--samples 10000] [--width 32768 | --width 12544,3136,...]
                                               [--snapshots 6] [--features 784] [--seed 0]
                                               [--chunked]

The schema is the documented minimum (docs/files.md): /evaluation/inputs (n × d float32),
/evaluation/labels (n int64), /snapshots/epoch_N/layer_L (n × width float32, one layer per
width given) with an `epoch` attribute. Activations are ReLU maps of a low-rank code of the inputs and labels, so they carry
information about both and are about half zeros, like conv feature maps; each snapshot sharpens
the code, so the plane moves. Written row block by row block: memory stays near one block,
whatever the width. Datasets are contiguous (h5py's default) unless --chunked asks for chunks of
whole rows with shuffle + deflate (what a compressed run file holds).
"""
import argparse

import h5py
import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--width", default="32768", help="the layers' widths, comma-separated")
    parser.add_argument("--snapshots", type=int, default=6)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunked", action="store_true")
    args = parser.parse_args()
    n, d, rank = args.samples, args.features, 32
    widths = [int(w) for w in args.width.split(",")]
    rng = np.random.default_rng(args.seed)
    labels = rng.integers(0, args.classes, size=n)
    inputs = rng.random((n, d), dtype=np.float32)
    # The code: a few input directions plus a class embedding, mixed more cleanly at later epochs.
    mixing = rng.standard_normal((d, rank)).astype(np.float32) / np.sqrt(d)
    embedding = rng.standard_normal((args.classes, rank)).astype(np.float32)
    noise = rng.standard_normal((n, rank)).astype(np.float32)
    expands = [rng.standard_normal((rank, w)).astype(np.float32) / np.sqrt(rank) for w in widths]
    block = 512
    with h5py.File(args.out, "w") as f:
        f["evaluation/inputs"] = inputs
        f["evaluation/labels"] = labels.astype(np.int64)
        for s in range(args.snapshots):
            sharpness = (s + 1) / args.snapshots
            code = (inputs - 0.5) @ mixing * 4 + sharpness * embedding[labels] + (1.5 - sharpness) * noise
            group = f.create_group(f"snapshots/epoch_{s:06d}")
            group.attrs["epoch"] = s
            for index, (w, expand) in enumerate(zip(widths, expands)):
                options = dict(chunks=(max(1, (1 << 20) // (4 * w)), w), shuffle=True, compression="gzip", compression_opts=4) if args.chunked else {}
                layer = group.create_dataset(f"layer_{index + 1}", shape=(n, w), dtype=np.float32, **options)
                for start in range(0, n, block):
                    stop = min(n, start + block)
                    layer[start:stop] = np.maximum(code[start:stop] @ expand, 0)


if __name__ == "__main__":
    main()
