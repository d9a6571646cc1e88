"""The information-based stopping rule of a run: J = S1(T;Y) - beta * S1(X;T) per snapshot with its
parts (left), and the test loss and accuracy (right), with the chosen and the stopping epoch marked.

    python analysis/plots.py stopping RUN_DIR|RUN.h5 [--out PREFIX]   # default PREFIX: RUN_DIR/stopping
    python analysis/plots.py stopping-replay RUN_DIR|RUN.h5 --betas 0,1,3 [--window W] [--tolerance T]

The replay applies the rule (InformationStoppingRule.swift) to the parts a run recorded, for other
β: train once with a window as long as the run (it never stops) and replay any β on its parts.
"""
import json
import os
import sys

import matplotlib.pyplot as plt

from plots import open_file, run_path, save


def read_stopping(path):
    """The /stopping rows and attributes and the /training curves of a run file."""
    with open_file(path, "run") as f:
        if "stopping" not in f:
            sys.exit(f"error: {path} has no /stopping group: train with a config that has a `stopping:` section (e.g. configs/stopping.yaml)")
        g = f["stopping"]
        rows = {name: g[name][...] for name in ("epoch", "objective", "sxt", "sxt_se", "sty", "sty_se")}
        attrs = {name: g.attrs[name] for name in ("beta", "tolerance", "window", "layer", "slices", "chosen_epoch", "stopped_epoch")}
        curves = {name: f["training"][name][...] for name in ("epoch", "test_loss", "test_accuracy", "train_loss")}
        name = f.attrs.get("name", os.path.basename(os.path.dirname(os.path.abspath(path))))
    return name, rows, attrs, curves


def mark(ax, attrs):
    """Vertical lines at the chosen epoch (best J) and the epoch training stopped at."""
    chosen, stopped = int(attrs["chosen_epoch"]), int(attrs["stopped_epoch"])
    ax.axvline(chosen, color="tab:green", linestyle="--", linewidth=1.2, label=f"chosen epoch {chosen}", gid="curve-chosen")
    if stopped >= 0:
        ax.axvline(stopped, color="tab:red", linestyle=":", linewidth=1.2, label=f"stopped after epoch {stopped}", gid="curve-stopped")


def plot_stopping(path, out=None):
    path = run_path(path)
    name, rows, attrs, curves = read_stopping(path)
    beta = float(attrs["beta"])
    fig, (info, loss, accuracy) = plt.subplots(1, 3, figsize=(13, 3.8))
    e = rows["epoch"]
    for part, style, color, label in (("sty", "-o", "tab:blue", "S1(T;Y)"), ("sxt", "-s", "tab:orange", "S1(X;T)")):
        info.errorbar(e, rows[part], yerr=rows[part + "_se"], fmt="none", ecolor=color, alpha=0.5)
        info.plot(e, rows[part], style, markersize=3, color=color, label=label, gid=f"curve-{part}")
    info.plot(e, rows["objective"], "-D", markersize=3, color="k", label=f"J = S1(T;Y) − {beta:g}·S1(X;T)", gid="curve-objective")
    info.set_ylabel("nats")
    info.set_title(f"{name}: objective of layer {int(attrs['layer'])} ({int(attrs['slices'])} slices)\n"
                   f"window {int(attrs['window'])} snapshots, tolerance {float(attrs['tolerance']):g} nats", fontsize=9)
    for ax, quantity, scale, label in ((loss, "test_loss", 1, "test loss"), (accuracy, "test_accuracy", 100, "test accuracy [%]")):
        ax.plot(curves["epoch"], curves[quantity] * scale, "-o", markersize=3, label=label.split(" [")[0], gid=f"curve-{quantity}")
        ax.set_ylabel(label)
        ax.set_title(f"{name}: {label.split(' [')[0]}", fontsize=9)
    for ax in (info, loss, accuracy):
        mark(ax, attrs)
        ax.set_xlabel("epoch")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    # The objective and its parts leave no free corner: that legend goes below its panel.
    info.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    return save(fig, out or os.path.join(os.path.dirname(path), "stopping"), "stopping")


def replay(sxt, sty, epochs, beta, window, tolerance):
    """(stopped epoch or None, chosen epoch) of the rule with J = sty - beta * sxt."""
    objectives = [y - beta * x for x, y in zip(sxt, sty)]
    for n in range(window + 1, len(objectives) + 1):
        if max(objectives[n - window:n]) <= max(objectives[:n - window]) + tolerance:
            best = max(range(n), key=lambda i: (objectives[i], -i))
            return int(epochs[n - 1]), int(epochs[best])
    best = max(range(len(objectives)), key=lambda i: (objectives[i], -i))
    return None, int(epochs[best])


def print_replay(path, betas, window, tolerance):
    _, rows, attrs, curves = read_stopping(run_path(path))
    window = int(attrs["window"]) if window is None else window
    tolerance = float(attrs["tolerance"]) if tolerance is None else tolerance
    loss = dict(zip(curves["epoch"].tolist(), curves["test_loss"].tolist()))
    table = []
    print(f"| β | stopped after epoch | chosen epoch | test loss at chosen |   (window {window}, tolerance {tolerance})")
    print("|---|---|---|---|")
    for beta in betas:
        stopped, chosen = replay(rows["sxt"], rows["sty"], rows["epoch"], beta, window, tolerance)
        table.append({"beta": beta, "stopped": stopped, "chosen": chosen, "test_loss": loss.get(chosen)})
        shown = "—" if loss.get(chosen) is None else f"{loss[chosen]:.3f}"
        print(f"| {beta:g} | {'never' if stopped is None else stopped} | {chosen} | {shown} |")
    print(json.dumps({"figure": "stopping-replay", "window": window, "tolerance": tolerance, "rows": table}))


def add_parser(sub):
    """`plots.py stopping RUN_DIR|RUN.h5 [--out PREFIX]`."""
    p = sub.add_parser("stopping", help="the stopping rule's objective per snapshot, beside the test curves")
    p.add_argument("path", help="run directory (or its run.h5)")
    p.add_argument("--out", help="output prefix (PNG and SVG are written)")
    p.set_defaults(handler=lambda a: plot_stopping(a.path, a.out))
    p = sub.add_parser("stopping-replay", help="the stopping rule replayed on a run's recorded parts for other β")
    p.add_argument("path", help="run directory (or its run.h5)")
    p.add_argument("--betas", required=True, help="comma-separated β values, e.g. 0,0.5,1,2,3")
    p.add_argument("--window", type=int, help="window (default: the run's)")
    p.add_argument("--tolerance", type=float, help="tolerance in nats (default: the run's)")
    p.set_defaults(handler=lambda a: print_replay(a.path, [float(b) for b in a.betas.split(",")], a.window, a.tolerance))
