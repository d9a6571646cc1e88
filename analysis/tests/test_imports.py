"""The package's import graph, read from the source with `ast` (nothing is imported to build it):
no cycles, no module but `__main__` code importing the command line, every topic registered
through the one decorator."""
import ast
import pathlib

import pytest

import infoplane
from infoplane.registry import TOPICS

PACKAGE = pathlib.Path(infoplane.__file__).parent
TOPIC_NAMES = {"plane", "curves", "compare", "all", "ensemble", "redundancy", "memorisation", "accuracy", "stopping",
               "stopping-replay", "classic", "baseline", "pca", "pooled"}


def module_names(root):
    """Every module of the package rooted at `root`: dotted name → file."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def import_graph(root):
    """Module → the package's modules it imports (absolute and relative imports, at any depth of
    the file, including imports inside functions)."""
    modules = module_names(root)
    graph = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                for alias in node.names:
                    targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        graph[name] = sorted(t for t in targets if t in modules and t != name)
    return graph


def find_cycle(graph):
    """One import cycle as a list of modules (first = last), or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in graph.get(node, ()):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_package_has_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert "infoplane.topics.plane" in graph and "infoplane.io" in graph["infoplane.topics.plane"]
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph))


def test_a_cycle_is_found(tmp_path):
    """The checker itself: a package whose modules import each other (one relatively, one
    absolutely, one inside a function) is reported."""
    package = tmp_path / "demo"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from .sub import b\n")
    (package / "sub" / "b.py").write_text("def f():\n    import demo.c\n")
    (package / "c.py").write_text("from . import a\n")
    cycle = find_cycle(import_graph(package))
    assert cycle is not None and set(cycle) == {"demo.a", "demo.sub.b", "demo.c"}


def test_nothing_imports_the_command_line():
    graph = import_graph(PACKAGE)
    importers = [name for name, targets in graph.items() if "infoplane.plots" in targets]
    assert importers == []


def test_topic_modules_import_only_the_shared_layers_and_other_topics():
    graph = import_graph(PACKAGE)
    shared = {"infoplane.io", "infoplane.errors", "infoplane.drawing", "infoplane.registry", "infoplane.trajectories",
              "infoplane.legends"}
    for name, targets in graph.items():
        if name.startswith("infoplane.topics."):
            assert set(targets) <= shared | {t for t in graph if t.startswith("infoplane.topics.")}, name


def test_every_topic_is_registered_once_by_the_decorator():
    import infoplane.plots  # noqa: F401  (loads every topic)

    assert set(TOPICS) == TOPIC_NAMES
    modules = {topic.run.__module__ for topic in TOPICS.values()}
    topic_files = {f"infoplane.topics.{p.stem}" for p in (PACKAGE / "topics").glob("*.py") if p.stem != "__init__"}
    assert modules == topic_files, "one module per topic, each registering through @topic"
    for path in (PACKAGE / "topics").glob("*.py"):
        assert "add_parser" not in path.read_text() and "add_subparsers" not in path.read_text(), path.name


@pytest.mark.parametrize("name", sorted(TOPIC_NAMES - {"stopping-replay"}))
def test_every_figure_topic_takes_dpi_and_title(name):
    import infoplane.plots

    parser = infoplane.plots.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[name]
    options = {flag for action in sub._actions for flag in action.option_strings}
    assert {"--dpi", "--title"} <= options
