"""Every command block of README.md and docs/*.md, run as a user pastes it (issue 16).

Each ```sh / ```bash block (and each ```python block of README.md) runs in bash with `set -eo
pipefail` (python blocks with the project's Python), from a working directory outside the
repository, one per page, so that commands a page chains (a run, then its figures) find each
other's outputs. That directory holds what a project directory offers the commands that need
one: `.build/release` (a link to the binary under test, INFOPLANE_BIN: CI builds the debug
binary only), `.venv` and `slurm/` (links). A block that reads `runs/NAME/` of a shipped config
it does not make itself (the default experiment's figures, say) finds there a stand-in: that
config run for one epoch (STAND_IN below), made once per session. Configs are not linked: `infoplane` finds
`configs/…` from its own location. The environment is what README tells a user to set once:
OPENBLAS_NUM_THREADS=1 and, as root, OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM); INFOPLANE_PYTHON is
removed, so the binary finds the project's Python itself. The binary's directory is on PATH,
as README's bare `infoplane …` lines assume.

A block, or some of its lines, that cannot run in CI is marked in the docs, visibly, in the
paragraph just above it:

    Not run in CI: REASON.                     (the whole block)
    Not run in CI (`make run`, `h64`): REASON.  (only the lines containing one of those texts)

The reason is required. An unmarked block runs, so a block added later is covered at once.
"""
import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import REPOSITORY

#: The pages whose blocks run; README's python blocks run too.
PAGES = ["README.md"] + sorted(os.path.join("docs", name) for name in os.listdir(os.path.join(REPOSITORY, "docs"))
                               if name.endswith(".md"))
SHELL = {"sh", "bash", "shell", "console"}
MARK = re.compile(r"Not run in CI(?: \(([^)]*)\))?: (.+)", re.S)
#: Seconds a block may take before it counts as hanging.
TIMEOUT = 300


class Block:
    """A fenced block: where it is, its language and lines, and its mark (if any)."""

    def __init__(self, page, line, language, lines, mark):
        self.page, self.line, self.language, self.lines = page, line, language, lines
        self.skip_all, self.skip_texts, self.reason = False, [], None
        if mark:
            selector, reason = mark.groups()
            self.reason = " ".join(reason.split())
            if selector:
                self.skip_texts = re.findall(r"`([^`]+)`", selector)
            else:
                self.skip_all = True

    @property
    def name(self):
        return f"{self.page}:{self.line}"

    def runnable_lines(self):
        """The lines that run: the block without its marked lines (and, for a marked line that
        ends in a backslash, without its continuation lines)."""
        kept, skipping = [], False
        for text in self.lines:
            if not skipping:
                skipping = any(t in text for t in self.skip_texts)
            if not skipping:
                kept.append(text)
            skipping = skipping and text.rstrip().endswith("\\")
        return kept


def paragraph_above(lines, index):
    """The paragraph (blank-line bounded) just above line `index`, blank lines between skipped."""
    i = index - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    end = i
    while i >= 0 and lines[i].strip() and not lines[i].startswith("```"):
        i -= 1
    return " ".join(lines[i + 1:end + 1])


def blocks(page):
    """The command blocks of `page` (a path relative to the repository)."""
    lines = open(os.path.join(REPOSITORY, page), encoding="utf-8").read().split("\n")
    found, i = [], 0
    while i < len(lines):
        fence = re.match(r"^```\s*(\w*)", lines[i])
        if not fence:
            i += 1
            continue
        start, language = i, fence.group(1).lower()
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            i += 1
        body = lines[start + 1:i]
        i += 1
        if language in SHELL or (language == "python" and page == "README.md"):
            found.append(Block(page, start + 1, language, body, MARK.search(paragraph_above(lines, start))))
    return found


ALL = [b for page in PAGES for b in blocks(page)]


def test_the_pages_have_blocks_and_every_mark_has_a_reason():
    assert len(ALL) >= 20, [b.name for b in ALL]
    for block in ALL:
        if block.reason is not None:
            assert len(block.reason.split()) >= 4, f"{block.name}: 'Not run in CI' needs a reason"
            for text in block.skip_texts:
                assert any(text in line for line in block.lines), f"{block.name}: no line contains `{text}`"


def test_promised_outputs_are_read_from_the_comments():
    lines = ["run x   # → runs/smoke/{run.h5, plane.h5}", "# → runs/not/this", "plot   # → runs/b/accuracy.png, .svg"]
    assert promised_outputs(lines) == ["runs/smoke/run.h5", "runs/smoke/plane.h5", "runs/b/accuracy.png"]


def test_the_mark_is_read():
    text = "Some words.\nNot run in CI (`make run`, `x`): it takes\nlong.\n\n```sh\nmake run\nx \\\n  y\nz\n```\n"
    lines = text.split("\n")
    block = Block("t.md", 5, "sh", lines[5:9], MARK.search(paragraph_above(lines, 4)))
    assert block.reason == "it takes long." and block.skip_texts == ["make run", "x"]
    assert block.runnable_lines() == ["z"]
    assert Block("t.md", 1, "sh", ["a"], None).runnable_lines() == ["a"]


#: What a stand-in run is: the same config, shortened (one epoch, so snapshots 0 and 1; m = 32).
STAND_IN = ["--set", "training.epochs=1", "--set", "analysis.slices=32",
            "--set", "dataset.evaluation_size=500", "--quiet"]


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """The environment of every block, and a cache of stand-in runs."""
    binary = os.environ.get("INFOPLANE_BIN")
    if not binary or not os.access(binary, os.X_OK):
        pytest.skip("no infoplane binary (make test builds it and names it in INFOPLANE_BIN)")
    binary = os.path.realpath(binary)
    env = {k: v for k, v in os.environ.items() if k not in ("INFOPLANE_PYTHON", "SLURM_CONF")}
    env.update(PATH=os.path.dirname(binary) + os.pathsep + env.get("PATH", ""), OPENBLAS_NUM_THREADS="1",
               INFOPLANE_BIN=binary, MPLBACKEND="Agg")
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return {"binary": binary, "env": env, "cache": str(tmp_path_factory.mktemp("stand-ins")), "pages": {},
            "factory": tmp_path_factory}


def page_directory(environment, page):
    """The working directory of `page`'s blocks (they chain: a run, then its figures), outside the
    repository: `.build/release` (the binary under test), `.venv` and `slurm/` as links."""
    pages = environment["pages"]
    if page not in pages:
        work = str(environment["factory"].mktemp("docs-" + os.path.basename(page).replace(".md", "")))
        assert not os.path.realpath(work).startswith(os.path.realpath(REPOSITORY) + os.sep)
        os.makedirs(os.path.join(work, ".build"))
        os.symlink(os.path.dirname(environment["binary"]), os.path.join(work, ".build", "release"))
        for name in (".venv", "slurm"):
            os.symlink(os.path.join(REPOSITORY, name), os.path.join(work, name))
        pages[page] = work
    return pages[page]


def provide_stand_ins(environment, work, script):
    """A block that reads `runs/NAME/` of a shipped config without making it gets a stand-in:
    NAME's config run shortened (STAND_IN), made once and linked into the page's directory."""
    commands = re.sub(r"(^|\s)#.*", "", script)  # what the lines run, without their comments
    for name in sorted(set(re.findall(r"runs/([\w-]+)", commands))):
        config = os.path.join(REPOSITORY, "configs", name + ".yaml")
        if (f"configs/{name}.yaml" in commands or not os.path.exists(config)
                or "model:" not in open(config, encoding="utf-8").read() or os.path.exists(os.path.join(work, "runs", name))):
            continue
        cached = os.path.join(environment["cache"], name)
        if not os.path.exists(cached):
            # A config that lists its snapshot epochs keeps those the one epoch has.
            listed = re.search(r"^snapshots:[ \t]*\n(?:[ \t]+.*\n)*?[ \t]+epochs:", open(config, encoding="utf-8").read(), re.M)
            shortened = STAND_IN + (["--set", "snapshots.epochs=[0,1]"] if listed else [])
            made = subprocess.run([environment["binary"], "run", config, "--out", cached] + shortened, env=environment["env"],
                                  capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
            assert made.returncode == 0, f"stand-in runs/{name}: {made.stderr}"
        os.makedirs(os.path.join(work, "runs"), exist_ok=True)
        os.symlink(cached, os.path.join(work, "runs", name))


@pytest.fixture(scope="module")
def slurm(environment):
    """A one-node Slurm on loopback (slurm/local-cluster.sh), started for the first block that
    submits a job, stopped at the end."""
    state = {}

    def start():
        if "conf" not in state:
            cluster = str(environment["factory"].mktemp("slurm"))
            port = str(18000 + os.getpid() % 500 * 2)
            started = subprocess.run(["bash", os.path.join(REPOSITORY, "slurm", "local-cluster.sh"), "start", cluster, port],
                                     capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
            assert started.returncode == 0, f"the local Slurm did not start: {started.stderr}"
            state.update(conf=os.path.join(cluster, "slurm.conf"), dir=cluster)
        return state["conf"]

    yield start
    if "dir" in state:
        subprocess.run(["bash", os.path.join(REPOSITORY, "slurm", "local-cluster.sh"), "stop", state["dir"]],
                       capture_output=True, timeout=120)


@pytest.mark.parametrize("block", ALL, ids=lambda b: b.name)
def test_block_runs(block, environment, slurm):
    if block.skip_all:
        pytest.skip(f"not run in CI: {block.reason}")
    lines = block.runnable_lines()
    if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        pytest.skip(f"every line marked: {block.reason}")
    work = page_directory(environment, block.page)
    env = dict(environment["env"])
    script = "\n".join(lines) + "\n"
    provide_stand_ins(environment, work, script)
    if re.search(r"^\s*(\S+=\S+\s+)*sbatch\b", script, re.M):
        env["SLURM_CONF"] = slurm()
    if block.language == "python":
        command = [os.path.join(work, ".venv", "bin", "python"), "-c", script]
    else:
        command = ["bash", "-c", "set -eo pipefail\n" + script]
    began = time.monotonic()
    result = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=TIMEOUT,
                            stdin=subprocess.DEVNULL)
    seconds = time.monotonic() - began
    assert result.returncode == 0, (f"{block.name} failed (exit {result.returncode}, {seconds:.1f} s) in {work}:\n{script}\n"
                                    f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}")
    for path in promised_outputs(lines):
        assert os.path.exists(os.path.join(work, path)), f"{block.name}: the comment promises {path}, which is missing"


def promised_outputs(lines):
    """The files a block's comments promise under runs/ (`→ runs/x/{a.h5,b.csv}`, `→ runs/x/y.png`)."""
    paths = []
    for line in lines:
        if line.lstrip().startswith("#"):
            continue
        for stem, group in re.findall(r"→ (runs/[\w./-]*)(?:\{([^}]*)\})?", line):
            names = [n.strip() for n in group.split(",")] if group else [""]
            paths += [stem + name for name in names]
    return [p.rstrip(",.") for p in paths]


def test_readme_names_root_and_reproducibility_exactly():
    """Items 1 and 9 of issue 16, in the words a user reads first: as root, what Open MPI needs;
    and "bit for bit" or "bit-identical for any number of ranks" only with "on one machine"."""
    readme = open(os.path.join(REPOSITORY, "README.md"), encoding="utf-8").read()
    assert "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1" in readme
    assert re.search(r"Makefile sets (them|both)", readme)
    for page in ("README.md", "docs/pipeline.md", "docs/slurm.md"):
        text = " ".join(open(os.path.join(REPOSITORY, page), encoding="utf-8").read().split())
        for match in re.finditer(r"bit for bit|bit-identical|reproducible|do(es)? not depend on P", text):
            around = text[max(0, match.start() - 150):match.end() + 150]
            if match.group(0) == "bit for bit" or re.search(r"any number of (MPI )?ranks|any P\b|depend on P", around):
                assert re.search(r"(on|for) one machine|same machine", around, re.I), \
                    f"{page}: '{match.group(0)}' without saying on one machine: …{around}…"


def test_the_reproducibility_check_can_fail(monkeypatch):
    """The check above on a sentence that overstates."""
    real_open = open
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: __import__("io").StringIO(
        "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; the Makefile sets them. Reproducible bit for bit.")
        if str(path).endswith(".md") else real_open(path, *a, **k))
    with pytest.raises(AssertionError, match="without saying on one machine"):
        test_readme_names_root_and_reproducibility_exactly()


def test_no_mpirun_line_asks_for_more_ranks_than_two_cores_give():
    """Item 1: every `mpirun -np N` of the docs fits 2 cores or says --oversubscribe / $(nproc)."""
    for page in PAGES:
        for number, line in enumerate(open(os.path.join(REPOSITORY, page), encoding="utf-8"), 1):
            for match in re.finditer(r"mpirun -np (\d+)([^`\n]*)", line):
                ranks, rest = int(match.group(1)), match.group(2)
                assert ranks <= 2 or "--oversubscribe" in rest, f"{page}:{number}: {line.strip()}"


def test_job_scripts_fit_a_two_cpu_node():
    """Item 1: submitted as the docs show, no script asks for more CPUs than a 2-CPU node has
    (a larger request waits for ever on such a cluster); the docs say how to ask for more."""
    for name in ("run.sbatch", "analyze.sbatch", "sweep.sbatch"):
        text = open(os.path.join(REPOSITORY, "slurm", name), encoding="utf-8").read()
        tasks = int(re.search(r"^#SBATCH --ntasks=(\d+)$", text, re.M).group(1))
        cpus = int(re.search(r"^#SBATCH --cpus-per-task=(\d+)$", text, re.M).group(1))
        assert tasks * cpus <= 2, f"{name} asks for {tasks * cpus} CPUs"
        assert "sbatch --ntasks=P" in text
    assert "--ntasks=P" in open(os.path.join(REPOSITORY, "docs", "slurm.md"), encoding="utf-8").read()


def test_micd_offers_say_its_shuffle_baseline():
    """Item 10: where micd is offered (estimators.md, the options' help), its small-sample bias."""
    page = open(os.path.join(REPOSITORY, "docs", "estimators.md"), encoding="utf-8").read()
    assert "micd's shuffle baseline is not zero" in page and "n = 500" in page
    binary = os.environ.get("INFOPLANE_BIN")
    if not binary:
        pytest.skip("no infoplane binary")
    for command in (["estimate", "--help"], ["analyze", "--help"]):
        text = " ".join(subprocess.run([binary] + command, capture_output=True, text=True, timeout=60).stdout.split())
        assert re.search(r"micd.{0,200}shuffle baseline is about \+0\.02 nats at n = 500", text), (command, text)
