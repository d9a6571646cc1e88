"""`infoplane.analyze`: the Swift binary's `analyze` from Python, under `mpirun` when asked for
more than one rank, its progress passed through as it comes."""
import os
import re
import shutil
import subprocess
import sys
import threading

from .errors import InputError

#: The checkout this package sits in (analysis/infoplane/ → the repository).
REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class AnalysisError(RuntimeError):
    """The binary ran and failed; the message is its one-line error."""


def find_binary():
    """The `infoplane` binary: $INFOPLANE_BIN, else `infoplane` on PATH, else the repository's
    `.build/release/infoplane`; none of them is one error naming the fix."""
    chosen = os.environ.get("INFOPLANE_BIN")
    if chosen:
        if not (os.path.isfile(chosen) and os.access(chosen, os.X_OK)):
            raise InputError(f"INFOPLANE_BIN={chosen} is not an executable file: point it at the infoplane binary "
                             "(`make build` makes .build/release/infoplane)")
        return chosen
    found = shutil.which("infoplane")
    if found:
        return found
    built = os.path.join(REPOSITORY, ".build", "release", "infoplane")
    if os.path.isfile(built) and os.access(built, os.X_OK):
        return built
    raise InputError(f"the infoplane binary was not found (INFOPLANE_BIN, PATH, {built}): run `make build` in "
                     f"{REPOSITORY}, or set INFOPLANE_BIN to the binary")


def analyze_options(binary):
    """The long options `infoplane analyze` takes, read from the OPTIONS section of its --help:
    {flag without dashes: whether it takes a value}."""
    text = subprocess.run([binary, "analyze", "--help"], capture_output=True, text=True, check=False).stdout
    options = {}
    for line in text.split("OPTIONS:", 1)[-1].splitlines():
        match = re.match(r"\s+(--[a-z0-9/-]+)( <[^>]+>)?", line)
        if match:
            for flag in match.group(1).split("/"):
                options[flag.lstrip("-")] = bool(match.group(2))
    for meta in ("help", "version"):
        options.pop(meta, None)
    return options


def command_line(binary, path, ranks, out, options):
    """The arguments of the run: [mpirun -np R [--oversubscribe]] BINARY analyze PATH [--out OUT]
    and one flag per option (underscores to dashes; True is the bare flag, False its --no- form or
    nothing, lists are comma-separated). An option the binary does not take is an error."""
    known = analyze_options(binary)
    arguments = [binary, "analyze", os.fspath(path)] + (["--out", os.fspath(out)] if out is not None else [])
    for key, value in options.items():
        flag = key.replace("_", "-")
        if flag not in known or flag == "out":
            choices = ", ".join(sorted(k.replace("-", "_") for k in known if not k.startswith("no-") and k != "out"))
            raise InputError(f"analyze() has no option {key!r}: choose from {choices}")
        if isinstance(value, bool):
            if known[flag]:
                raise InputError(f"analyze({key}=...) takes a value, not {value}")
            if value:
                arguments.append("--" + flag)
            elif "no-" + flag in known:
                arguments.append("--no-" + flag)
        elif value is not None:
            if not known[flag]:
                raise InputError(f"analyze({key}=...) is a switch: pass True or False")
            text = ",".join(str(v) for v in value) if isinstance(value, (list, tuple, range)) else str(value)
            arguments += ["--" + flag, text]
    if not isinstance(ranks, int) or ranks < 1:
        raise InputError(f"ranks={ranks!r} is impossible: use a whole number ≥ 1")
    if ranks == 1:
        return arguments
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        raise InputError("ranks > 1 needs mpirun, which is not on PATH: install Open MPI (apt-get install openmpi-bin) or use ranks=1")
    oversubscribe = ["--oversubscribe"] if ranks > (os.cpu_count() or 1) else []
    return [mpirun, "-np", str(ranks)] + oversubscribe + arguments


def plane_path(path, out, options):
    """Where the plane is written: `out`, else beside the run file (plane.h5, or plane-<method>.h5)."""
    if out is not None:
        return os.fspath(out)
    method = options.get("method", "ksg")
    name = "plane.h5" if method == "ksg" else f"plane-{method}.h5"
    return os.path.join(os.path.dirname(os.path.abspath(path)), name)


def analyze(path, ranks=1, out=None, **options):
    """Measures the Sliced Information Plane of the run file `path` with `infoplane analyze` on
    `ranks` MPI ranks and returns the plane file's path (default: plane.h5 beside the run file).
    `options` are the command's (`slices=1000, k=5, seed=0, estimator="ross", layers=["conv1"],
    epochs=[0, 5], shuffle_baseline=True, resume=True, force=True, quiet=True, ...`). Progress is
    passed through to sys.stderr as it comes; a failure raises AnalysisError with the binary's
    message."""
    if not os.path.exists(path):
        raise InputError(f"no such run file: {path} (record one with infoplane.Recorder)")
    arguments = command_line(find_binary(), path, ranks, out, options)
    environment = dict(os.environ)
    environment.setdefault("OPENBLAS_NUM_THREADS", "1")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        environment.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        environment.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1, env=environment)
    errors = []

    def relay(stream, target, keep):
        for line in stream:
            target.write(line)
            target.flush()
            if keep is not None:
                keep.append(line.rstrip("\n"))

    threads = [threading.Thread(target=relay, args=(process.stdout, sys.stdout, None), daemon=True),
               threading.Thread(target=relay, args=(process.stderr, sys.stderr, errors), daemon=True)]
    for thread in threads:
        thread.start()
    status = process.wait()
    for thread in threads:
        thread.join()
    if status != 0:
        ours = [line for line in errors if line.startswith("Error:")] or [line for line in errors if line.strip()]
        message = ours[0] if ours else f"exit status {status}"
        raise AnalysisError(f"infoplane analyze failed: {message.removeprefix('Error: ')}")
    return plane_path(path, out, options)
