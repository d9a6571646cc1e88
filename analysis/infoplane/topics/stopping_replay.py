"""`stopping-replay`: the stopping rule (InformationStoppingRule.swift) applied to the parts a run
recorded, for other β: train once with a window as long as the run (it never stops), then replay
any β on its parts. Prints a Markdown table and one JSON line; draws nothing."""
import json

from .. import io
from ..errors import InputError
from ..registry import arg, topic


@topic("stopping-replay", "the stopping rule replayed on a run's recorded parts for other β",
       arg("path", help="a run directory or a run file (run.h5) trained with a `stopping:` section"),
       arg("--betas", required=True, help="comma-separated β values, e.g. 0,0.5,1,2,3"),
       arg("--window", type=int, help="window in snapshots (default: the run's)"),
       arg("--tolerance", type=float, help="tolerance in nats (default: the run's)"),
       figure=False)
def stopping_replay(args):
    """Prints the replay of `args.betas` on `args.path`."""
    try:
        betas = [float(b) for b in args.betas.split(",")]
    except ValueError:
        raise InputError(f"--betas {args.betas} is not a comma-separated list of numbers: give e.g. 0,0.5,1") from None
    return print_replay(args.path, betas, args.window, args.tolerance)


def replay(sxt, sty, epochs, beta, window, tolerance):
    """(stopped epoch or None, chosen epoch) of the rule with J = sty − beta · sxt: stop once the
    best J of the last `window` snapshots is no more than `tolerance` above the best before them;
    choose the epoch of the best J (the earliest of ties)."""
    objectives = [y - beta * x for x, y in zip(sxt, sty)]
    for n in range(window + 1, len(objectives) + 1):
        if max(objectives[n - window:n]) <= max(objectives[:n - window]) + tolerance:
            best = max(range(n), key=lambda i: (objectives[i], -i))
            return int(epochs[n - 1]), int(epochs[best])
    best = max(range(len(objectives)), key=lambda i: (objectives[i], -i))
    return None, int(epochs[best])


def print_replay(path, betas, window=None, tolerance=None):
    """Prints the table and the JSON line; returns the JSON object."""
    record = io.load_stopping(path)
    rows, settings = record.rows, record.settings
    window = int(settings["window"]) if window is None else window
    tolerance = float(settings["tolerance"]) if tolerance is None else tolerance
    if window < 1:
        raise InputError(f"--window {window} is too small: give a window of 1 or more snapshots")
    loss = dict(zip(record.curves["epoch"].tolist(), record.curves["test_loss"].tolist()))
    table = []
    print(f"| β | stopped after epoch | chosen epoch | test loss at chosen |   (window {window}, tolerance {tolerance})")
    print("|---|---|---|---|")
    for beta in betas:
        stopped, chosen = replay(rows["sxt"], rows["sty"], rows["epoch"], beta, window, tolerance)
        table.append({"beta": beta, "stopped": stopped, "chosen": chosen, "test_loss": loss.get(chosen)})
        shown = "—" if loss.get(chosen) is None else f"{loss[chosen]:.3f}"
        print(f"| {beta:g} | {'never' if stopped is None else stopped} | {chosen} | {shown} |")
    summary = {"figure": "stopping-replay", "window": window, "tolerance": tolerance, "rows": table}
    print(json.dumps(summary))
    return summary
