"""The whole Sliced Information Plane experiment, timed as a user runs it, plus the figures the
README's scaling model needs.

    python analysis/reference/bench_pipeline.py [--bin B] [--config C] [--ranks P]

1. `mpirun -np P infoplane run CONFIG` (train and analyse at once): wall time, CPU time and
   peak RSS per rank. With --compare OTHER_BINARY the other build runs the same command in
   alternation with this one, --runs times each, and the medians and their ratio are printed
   with the machine's load (`uptime`) beside each run, so two builds are timed side by side.
2. `infoplane analyze` of the same run file on 1 rank and on P ranks: parallel efficiency
   T1 / (P · TP), and the plane files compared byte for byte (skipped with --run-only).
3. Per-item cost on one rank and the message volume per item, for the scaling model.

One BLAS thread per rank, as MPI runs need. Each rank runs under a small wrapper that reports
its own peak resident memory and CPU seconds (getrusage of its child), so no extra tools are
needed.
"""
import statistics
import argparse
import os
import subprocess
import sys
import tempfile
import time

import h5py

WRAPPER = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
           "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
           "open(sys.argv[1], 'a').write(f'{u.ru_maxrss} {u.ru_utime + u.ru_stime}\\n'); sys.exit(code)")


def timed(command, env):
    start = time.monotonic()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=".build/release/infoplane")
    parser.add_argument("--config", default="configs/fashion-h64.yaml")
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "infoplane-bench-pipeline"))
    parser.add_argument("--compare", help="another build, timed on the same command in alternation with --bin")
    parser.add_argument("--runs", type=int, default=1, help="runs of step 1 per build (medians reported)")
    parser.add_argument("--run-only", action="store_true", help="step 1 only")
    args = parser.parse_args()
    binary = os.path.realpath(args.bin)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    os.makedirs(args.dir, exist_ok=True)
    rss = os.path.join(args.dir, "rss.txt")

    def mpirun(*arguments, build=binary):
        open(rss, "w").close()
        return ["mpirun", "-np", str(args.ranks), "--oversubscribe", sys.executable, "-c", WRAPPER, rss, build, *arguments]

    def ranks():
        return [(int(line.split()[0]) / 1024, float(line.split()[1])) for line in open(rss) if line.strip()]

    def peaks():
        return ", ".join(f"{v:.0f} MiB" for v in sorted(peak for peak, _ in ranks()))

    def uptime():
        return open("/proc/loadavg").read().split()[0]

    run_dir = os.path.join(args.dir, "run")
    builds = [("this", binary)] + ([("compare", os.path.realpath(args.compare))] if args.compare else [])
    print(f"== 1. mpirun -np {args.ranks} infoplane run {args.config}", flush=True)
    walls = {name: [] for name, _ in builds}
    for round in range(args.runs):
        for name, build in builds:
            load = uptime()
            out = run_dir if name == "this" else os.path.join(args.dir, "run-compare")
            wall = timed(mpirun("run", args.config, "--out", out, "--force", "--quiet", build=build), env)
            walls[name].append(wall)
            cpu = " + ".join(f"{seconds:.1f}" for _, seconds in ranks())
            print(f"{name:8s} run {round + 1}: wall {wall:.1f} s (load {load} before); CPU per rank {cpu} s; "
                  f"peak RSS per rank: {peaks()}  [{build}]", flush=True)
    for name, _ in builds:
        print(f"{name:8s} median wall {statistics.median(walls[name]):.1f} s over {args.runs} run(s)")
    if args.compare:
        print(f"speed-up of {binary} over {builds[1][1]}: "
              f"{statistics.median(walls['compare']) / statistics.median(walls['this']):.2f}x (median walls)")
    if args.run_only:
        return

    run_file = os.path.join(run_dir, "run.h5")
    print(f"== 2. infoplane analyze {run_file}: 1 rank vs {args.ranks}", flush=True)
    one = os.path.join(args.dir, "p1.h5")
    many = os.path.join(args.dir, f"p{args.ranks}.h5")
    t1 = timed([binary, "analyze", run_file, "--out", one, "--force", "--quiet"], env)
    tp = timed(mpirun("analyze", run_file, "--out", many, "--force", "--quiet"), env)
    same = open(one.replace(".h5", ".csv"), "rb").read() == open(many.replace(".h5", ".csv"), "rb").read()
    print(f"1 rank {t1:.1f} s; {args.ranks} ranks {tp:.1f} s (peak RSS per rank: {peaks()}); "
          f"parallel efficiency {100 * t1 / (args.ranks * tp):.0f}%; plane identical: {'yes' if same else 'NO'}")

    with h5py.File(one, "r") as f:
        m, samples = int(f.attrs["slices"]), int(f.attrs["samples"])
        layers, epochs = len(f.attrs["layers"]), len(f.attrs["epochs_planned"])
    blocks = -(-m // 32)
    items = layers * epochs * blocks
    print(f"== 3. {items} work items ({layers} layers x {epochs} snapshots x {blocks} blocks of m = {m}); "
          f"{1000 * t1 / items:.1f} ms per item on one rank")
    print(f"messages per item: order ~60 B, result {8 * (1 + 2 * 32)} B; activations {samples} x width x 4 B "
          f"once per worker and snapshot-layer; evaluation inputs broadcast once")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
