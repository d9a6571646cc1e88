#!/usr/bin/env bash
# Training throughput, side by side on the same data in the same run: InfoPlane (Swift,
# OpenBLAS sgemm) against the identical network in numpy (float32, same BLAS thread count) and
# in PyTorch on the CPU (float32, one thread; analysis/reference/train_torch.py).
# Usage: bash analysis/reference/bench_training.sh [INFOPLANE_BINARY] [ROUNDS]
# Prints each round's samples/s and the median ratios. One BLAS thread, as under MPI.
# PyTorch runs under $TORCH_PYTHON (default: the same Python); without torch its column says so.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-.build/release/infoplane}
rounds=${2:-3}
python=${INFOPLANE_PYTHON:-.venv/bin/python}
torch_python=${TORCH_PYTHON:-$python}
data=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
hidden=${HIDDEN:-64,64,64}
batch=${BATCH_SIZE:-128}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

echo "MLP hidden $hidden, batch $batch, Adam, one epoch of the 60,000 Fashion-MNIST training images, one thread"
field() { "$python" -c 'import json,sys; print(json.loads(sys.argv[1].strip().splitlines()[-1]).get(sys.argv[2], ""))' "$1" "$2"; }
probe=$("$torch_python" analysis/reference/train_torch.py --synthetic 256 --hidden 8 2>/dev/null || echo '{"skipped": "'"$torch_python"' cannot run train_torch.py"}')
skipped=$(field "$probe" skipped)
[ -n "$skipped" ] && echo "PyTorch column skipped: $skipped"
printf "%-6s %14s %14s %14s %8s %8s\n" round "infoplane/s" "numpy/s" "pytorch/s" "/numpy" "/pytorch"
ratios=(); torch_ratios=()
for round in $(seq 1 "$rounds"); do
  ours=$("$bin" bench training --data "$data" --hidden "$hidden" --batch-size "$batch" --epochs 1)
  theirs=$("$python" analysis/reference/train_numpy.py --data "$data" --hidden "$hidden" --batch-size "$batch" --epochs 1 --lr 1e-3)
  a=$(field "$ours" samples_per_second)
  b=$(field "$theirs" samples_per_second)
  r=$("$python" -c "print(f'{$a/$b:.2f}')")
  ratios+=("$r")
  c="-"; t="-"
  if [ -z "$skipped" ]; then
    torch=$("$torch_python" analysis/reference/train_torch.py --data "$data" --hidden "$hidden" --batch-size "$batch" --epochs 1 --lr 1e-3)
    c=$(field "$torch" samples_per_second)
    t=$("$python" -c "print(f'{$a/$c:.2f}')")
    torch_ratios+=("$t")
    c=$(printf "%.0f" "$c")
  fi
  printf "%-6s %14.0f %14.0f %14s %8s %8s\n" "$round" "$a" "$b" "$c" "$r" "$t"
done
median() { printf "%s\n" "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo "median speed-up of infoplane over numpy: $(median "${ratios[@]}")x"
if [ -z "$skipped" ]; then
  echo "median speed-up of infoplane over pytorch: $(median "${torch_ratios[@]}")x"
fi
