"""Figures of an InfoPlane run, drawn headless from the documented files only.

    python -m infoplane.plots TOPIC ARGUMENTS [--out PREFIX] [--dpi N] [--title TEXT]

Each figure topic writes PREFIX.png and PREFIX.svg (default: beside its input) and prints one
JSON line saying what the figure holds, read back from the figure's own artists (trajectories,
points per trajectory, curves, panel titles), so tests and scripts can check it. --dpi sets the
PNG resolution (default: $INFOPLANE_PLOT_DPI, else 150); --title replaces the title taken from
the run's name. A missing or wrong input is one line on stderr (`error: ...`) and exit status 1.
"""
import argparse
import sys

from . import topics  # noqa: F401  (registers every topic)
from .errors import InputError
from .registry import TOPICS


def build_parser():
    """The argument parser: one subcommand per registered topic."""
    parser = argparse.ArgumentParser(prog="python -m infoplane.plots", description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="TOPIC")
    for registered in sorted(TOPICS.values(), key=lambda t: t.name):
        registered.add_to(subparsers)
    return parser


def main(argv=None):
    """Runs one topic; returns the exit status (0, or 1 after a one-line error)."""
    args = build_parser().parse_args(argv)
    try:
        args.topic.run(args)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
