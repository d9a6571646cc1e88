"""The whole Sliced Information Plane experiment, timed as a user runs it, plus the figures the
README's scaling model needs.

    python analysis/reference/bench_pipeline.py [--bin B] [--config C] [--ranks P]

1. `mpirun -np P infoplane run CONFIG` (train and analyse at once): wall time, peak RSS per rank.
2. `infoplane analyze` of the same run file on 1 rank and on P ranks: parallel efficiency
   T1 / (P · TP), and the plane files compared byte for byte.
3. Per-item cost on one rank and the message volume per item, for the scaling model.

One BLAS thread per rank, as MPI runs need. Each rank runs under a small wrapper that reports
its own peak resident memory (getrusage of its child), so no extra tools are needed.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import h5py

WRAPPER = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
           "open(sys.argv[1], 'a').write(f'{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n'); sys.exit(code)")


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
    args = parser.parse_args()
    binary = os.path.realpath(args.bin)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    os.makedirs(args.dir, exist_ok=True)
    rss = os.path.join(args.dir, "rss.txt")

    def mpirun(*arguments):
        open(rss, "w").close()
        return ["mpirun", "-np", str(args.ranks), "--oversubscribe", sys.executable, "-c", WRAPPER, rss, binary, *arguments]

    def peaks():
        values = sorted(int(line) / 1024 for line in open(rss) if line.strip())
        return ", ".join(f"{v:.0f} MiB" for v in values)

    run_dir = os.path.join(args.dir, "run")
    print(f"== 1. mpirun -np {args.ranks} infoplane run {args.config}", flush=True)
    wall = timed(mpirun("run", args.config, "--out", run_dir, "--force", "--quiet"), env)
    print(f"wall {wall:.1f} s; peak RSS per rank: {peaks()}", flush=True)

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
