"""The wide-layer analyze benchmark (docs/benchmarks.md): `infoplane analyze` of an h5py-written
run file of conv-scale layers, on 1 and 2 ranks, wall time and peak RSS per rank, with the
machine's load beside each run and this machine's GEMM speed measured in the same run.

    python analysis/reference/bench_wide.py [--bin B] [--before B0] [--width 32768] [--snapshots 6]
                                            [--samples 10000] [--slices 256] [--ranks 1,2] [--repeats 3]

The run file is made by make_wide_run.py under --dir (reused when present; 7.9 GB at the
defaults). Each rank runs under /usr/bin/time, whose maximum resident set size includes the
pages of the node's shared window the rank touched. --before times another binary (e.g. main's)
the same way. Planes of every run must be bit-identical (checked with h5digest.py).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load():
    return open("/proc/loadavg").read().split()[0]


def timed_run(binary, ranks, run_file, out, slices, env):
    command = ["/usr/bin/time", "-f", "RANK %e %M %U %S", binary, "analyze", run_file, "--slices", str(slices), "--out", out, "--force"]
    if ranks > 1:
        command = ["mpirun", "-np", str(ranks), "--oversubscribe"] + command
    before = load()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    ranks_seen = [(float(w), int(m), float(u) + float(s)) for w, m, u, s in re.findall(r"RANK ([\d.]+) (\d+) ([\d.]+) ([\d.]+)", done.stderr)]
    work = re.search(r"analysis work: .*", done.stderr)
    return {"wall": max(w for w, _, _ in ranks_seen), "rss_gb": sorted(round(m * 1024 / 1e9, 2) for _, m, _ in ranks_seen),
            "cpu": sorted(round(c, 1) for _, _, c in ranks_seen), "load": f"{before}→{load()}", "work": work.group(0) if work else ""}


def digest(path):
    text = subprocess.run([sys.executable, os.path.join(HERE, "h5digest.py"), path], capture_output=True, text=True, check=True).stdout
    return {key.split(":", 1)[1]: value for key, value in json.loads(text).items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=".build/release/infoplane")
    parser.add_argument("--before", help="another binary to time the same way (e.g. main's)")
    parser.add_argument("--width", type=int, default=32768)
    parser.add_argument("--snapshots", type=int, default=6)
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--slices", type=int, default=256)
    parser.add_argument("--ranks", default="1,2")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", default="runs/bench")
    parser.add_argument("--only", choices=["after", "before"], help="time only one of the binaries")
    args = parser.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    os.makedirs(args.dir, exist_ok=True)
    run_file = os.path.join(args.dir, f"wide-{args.samples}x{args.width}x{args.snapshots}.h5")
    if not os.path.exists(run_file):
        subprocess.run([sys.executable, os.path.join(HERE, "make_wide_run.py"), run_file, "--samples", str(args.samples),
                        "--width", str(args.width), "--snapshots", str(args.snapshots)], check=True)
    gemm = subprocess.run([args.bin, "bench", "gemm", "--width", str(args.width)], env=env, capture_output=True, text=True, check=True).stdout.strip()
    print(f"machine (one core, load {load()}): {gemm}", flush=True)
    gflop = 2 * args.samples * args.width * args.slices * args.snapshots / 1e9
    print(f"projections: {gflop:.0f} GFLOP ({args.snapshots} snapshots × n {args.samples} × {args.width} units × m {args.slices} × 2)", flush=True)
    binaries = [("after", args.bin)] + ([("before", args.before)] if args.before else [])
    binaries = [b for b in binaries if args.only in (None, b[0])]
    reference = None
    for label, binary in binaries:
        for ranks in [int(r) for r in args.ranks.split(",")]:
            runs = []
            for repeat in range(args.repeats):
                out = os.path.join(args.dir, f"plane-{label}-p{ranks}.h5")
                runs.append(timed_run(binary, ranks, run_file, out, args.slices, env))
                values = digest(out)
                reference = reference or values
                if values != reference:
                    sys.exit(f"{out} differs from the first plane")
                print(f"  {label} P={ranks} run {repeat + 1}: {runs[-1]['wall']:.1f} s, peak RSS per rank {runs[-1]['rss_gb']} GB, CPU per rank {runs[-1]['cpu']} s, "
                      f"load {runs[-1]['load']}  {runs[-1]['work']}", flush=True)
            walls = [r["wall"] for r in runs]
            rss = max(max(r["rss_gb"]) for r in runs)
            print(f"{label} P={ranks}: median {statistics.median(walls):.1f} s (runs {', '.join(f'{w:.1f}' for w in walls)}), "
                  f"largest peak RSS per rank {rss:.2f} GB", flush=True)
    print("planes bit-identical across every run")


if __name__ == "__main__":
    main()
