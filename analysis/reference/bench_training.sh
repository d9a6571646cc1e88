#!/usr/bin/env bash
# Training throughput, side by side on the same data in the same run: InfoPlane (Swift,
# OpenBLAS sgemm) against the identical network in numpy (float32, same BLAS thread count).
# Usage: bash analysis/reference/bench_training.sh [INFOPLANE_BINARY] [ROUNDS]
# Prints each round's samples/s and the median ratio. One BLAS thread, as under MPI.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-.build/release/infoplane}
rounds=${2:-3}
python=${INFOPLANE_PYTHON:-.venv/bin/python}
data=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
hidden=${HIDDEN:-64,64,64}
batch=${BATCH_SIZE:-128}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

echo "MLP hidden $hidden, batch $batch, Adam, one epoch of the 60,000 Fashion-MNIST training images, OPENBLAS_NUM_THREADS=1"
printf "%-6s %14s %14s %8s\n" round "infoplane/s" "numpy/s" ratio
ratios=()
for round in $(seq 1 "$rounds"); do
  ours=$("$bin" bench training --data "$data" --hidden "$hidden" --batch-size "$batch" --epochs 1)
  theirs=$("$python" analysis/reference/train_numpy.py --data "$data" --hidden "$hidden" --batch-size "$batch" --epochs 1 --lr 1e-3)
  a=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["samples_per_second"])' "$ours")
  b=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1].strip().splitlines()[-1])["samples_per_second"])' "$theirs")
  r=$("$python" -c "print(f'{$a/$b:.2f}')")
  ratios+=("$r")
  printf "%-6s %14.0f %14.0f %8s\n" "$round" "$a" "$b" "$r"
done
median=$(printf "%s\n" "${ratios[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
echo "median speed-up of infoplane over numpy: ${median}x"
