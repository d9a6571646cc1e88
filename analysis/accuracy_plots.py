"""Figure of the known-MI benchmark (`infoplane bench accuracy`), drawn from its CSV files.

    python analysis/plots.py accuracy OUT_DIR [--out PREFIX] [--dpi N]   # default PREFIX: OUT_DIR/accuracy

Top row: full KSG against the true I(X;Y), one panel per dimension; bottom row: the sliced
estimate against the closed-form S1(X;Y); both with the identity line. Right: the Pearson
correlation of estimate and truth, and the relative bias Σ(estimate − truth)/Σ truth, against the
dimension, for both.
"""
import csv
import os
import sys

import matplotlib.pyplot as plt
from matplotlib.gridspec import GridSpec


COLUMNS = {"accuracy.csv": {"mode", "dimension", "samples", "slices", "k", "true_mi", "full_ksg", "true_smi", "sliced"},
           "summary.csv": {"dimension", "full_correlation", "sliced_correlation", "full_relative_bias", "sliced_relative_bias"}}


def read_accuracy(directory):
    """Rows of accuracy.csv (numbers as floats) and of summary.csv, from a bench output directory."""
    tables = []
    for name in ("accuracy.csv", "summary.csv"):
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            sys.exit(f"error: no {name} in {directory}: run `infoplane bench accuracy --out {directory}` first")
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
        missing = COLUMNS[name] - set(reader.fieldnames or [])
        if missing:
            sys.exit(f"error: {path} lacks the columns {', '.join(sorted(missing))}: give the --out directory of `infoplane bench accuracy`")
        try:
            tables.append([{k: (v if k == "mode" else float(v)) for k, v in row.items()} for row in rows])
        except (TypeError, ValueError):
            sys.exit(f"error: {path} is not a bench accuracy CSV: rerun `infoplane bench accuracy --out {directory}`")
        if not rows:
            sys.exit(f"error: {path} holds no rows: rerun `infoplane bench accuracy --out {directory}`")
    return tables


def draw_accuracy(fig, points, summary):
    """Estimate-vs-truth panels per dimension (full on top, sliced below) and r against d."""
    dimensions = [int(s["dimension"]) for s in summary]
    grid = GridSpec(2, len(dimensions) + 2, figure=fig, width_ratios=[1] * len(dimensions) + [0.25, 1.6])
    for column, d in enumerate(dimensions):
        rows = [p for p in points if int(p["dimension"]) == d]
        for row, (truth, estimate, label) in enumerate((("true_mi", "full_ksg", "full KSG"), ("true_smi", "sliced", "sliced"))):
            ax = fig.add_subplot(grid[row, column])
            x, y = [p[truth] for p in rows], [p[estimate] for p in rows]
            top = max(x + y + [1e-12])
            ax.plot([0, top], [0, top], ":", color="0.5", linewidth=1)
            ax.scatter(x, y, s=14, color="C0" if row == 0 else "C1", gid=f"points-{label}-{d}")
            ax.set_title(f"{label}, d = {d}", fontsize=8)
            ax.tick_params(labelsize=6)
            ax.set_xlabel("true I(X;Y)" if row == 0 else "true S1(X;Y)", fontsize=7)
            if column == 0:
                ax.set_ylabel("estimate [nats]", fontsize=7)
    first = points[0]
    for row, (quantity, ylabel, scale) in enumerate((("correlation", "Pearson r (estimate, truth)", 1),
                                                     ("relative_bias", "relative bias [%]", 100))):
        ax = fig.add_subplot(grid[row, -1])
        for side, label, style in (("full", "full KSG", "-o"), ("sliced", "sliced", "-s")):
            ax.plot(dimensions, [scale * s[f"{side}_{quantity}"] for s in summary], style, label=label,
                    gid=f"curve-{side}-{quantity}")
        ax.set_xscale("log")
        ax.set_xlabel("dimension d", fontsize=8)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.tick_params(labelsize=7)
        if row == 0:
            ax.set_title(f"{first['mode']} set, n = {int(first['samples'])}, m = {int(first['slices'])}, "
                         f"k = {int(first['k'])}", fontsize=9)
        else:
            ax.axhline(0, color="0.5", linestyle=":", linewidth=1)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)


def plot_accuracy(directory, out, save):
    points, summary = read_accuracy(directory)
    fig = plt.figure(figsize=(2.1 * len(summary) + 4.5, 4.6), layout="constrained")
    draw_accuracy(fig, points, summary)
    return save(fig, out or os.path.join(directory, "accuracy"), "accuracy")
