"""The topic registry: the one way a figure (or report) joins `python -m infoplane.plots`.

A topic module declares itself with the `topic` decorator:

    @topic("plane", "the Sliced Information Plane of one run",
           arg("path", help="a run directory or its plane.h5"))
    def plane(args):
        return plot_plane(args.path, out=args.out, dpi=args.dpi, title=args.title)

Figure topics get the shared options --out PREFIX, --dpi N and --title TEXT (FIGURE_OPTIONS);
`out="required"` makes --out mandatory, `out=None` leaves it out (a topic that draws several
figures, each in its own place), and `figure=False` leaves all three out (a topic that prints).
"""
from dataclasses import dataclass

#: Every registered topic by name, in registration order.
TOPICS = {}


@dataclass(frozen=True)
class Topic:
    """One subcommand of the figure CLI."""

    #: The subcommand (`plane`, `stopping-replay`, ...).
    name: str
    #: One line for --help.
    help: str
    #: Its own arguments: (flags, keyword arguments) pairs for `ArgumentParser.add_argument`.
    arguments: tuple
    #: Called with the parsed arguments; figure topics return the figure's JSON summary.
    run: object
    #: Whether it draws (and so takes --dpi and --title).
    figure: bool = True
    #: --out PREFIX: "optional" (a default beside the input), "required", or None (not taken).
    out: object = "optional"

    def add_to(self, subparsers):
        """Adds this topic's subcommand, its arguments and (for figures) the shared options."""
        parser = subparsers.add_parser(self.name, help=self.help, description=self.help)
        for flags, options in self.arguments:
            parser.add_argument(*flags, **options)
        if self.figure:
            for flags, options in FIGURE_OPTIONS:
                if flags[0] == "--out":
                    if self.out is None:
                        continue
                    options = {**options, "required": self.out == "required"}
                parser.add_argument(*flags, **options)
        parser.set_defaults(topic=self)
        return parser


def arg(*flags, **options):
    """One argument of a topic, as for `ArgumentParser.add_argument`."""
    return flags, options


#: The options every figure topic takes.
FIGURE_OPTIONS = (
    arg("--out", metavar="PREFIX", help="output prefix: PREFIX.png and PREFIX.svg are written (default: beside the input)"),
    arg("--dpi", type=int, help="PNG resolution (default: $INFOPLANE_PLOT_DPI, else 150)"),
    arg("--title", help="the figure's title (default: from the run's name)"),
)


def topic(name, help, *arguments, figure=True, out="optional"):
    """Decorator: registers the function as topic `name` with its own `arguments` (see `arg`);
    `figure` and `out` as in Topic."""
    def register(run):
        if name in TOPICS:
            raise ValueError(f"topic {name!r} is registered twice ({TOPICS[name].run.__module__} and {run.__module__})")
        TOPICS[name] = Topic(name, help, tuple(arguments), run, figure, out if figure else None)
        return run
    return register
