#!/usr/bin/env bash
# CNN training throughput, side by side in the same run: InfoPlane's SequentialNetwork (Swift,
# OpenBLAS sgemm, `infoplane bench cnn`) against PyTorch on CPU (analysis/reference/bench_cnn_torch.py),
# the same network (conv16-pool-conv32-pool-dense128-dense10, 3×3 same convolutions, ReLU), batch,
# optimizer (Adam 1e-3) and protocol (random 1×28×28 images, one warm-up round, ROUNDS timed rounds
# of BATCHES minibatches), one thread each. Usage:
#   bash analysis/reference/bench_cnn.sh [INFOPLANE_BINARY] [REPEATS]
# Prints each repeat's median samples/s of both and their ratio, then the median ratio.
# PyTorch comes from $TORCH_PYTHON (default .venv/bin/python; `pip install torch` there).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-.build/release/infoplane}
repeats=${2:-3}
python=${TORCH_PYTHON:-.venv/bin/python}
batches=${BATCHES:-40}
batch=${BATCH_SIZE:-128}
rounds=${ROUNDS:-5}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "Error: $python cannot import torch: install it there (pip install torch) or point TORCH_PYTHON at a Python that has it" >&2
  exit 1
fi

echo "CNN conv16-pool-conv32-pool-dense128, batch $batch, Adam, $rounds rounds of $batches minibatches (random images), one thread"
printf "%-7s %14s %14s %8s\n" repeat "infoplane/s" "pytorch/s" ratio
ratios=()
for repeat in $(seq 1 "$repeats"); do
  ours=$("$bin" bench cnn --batches "$batches" --batch-size "$batch" --rounds "$rounds")
  theirs=$("$python" analysis/reference/bench_cnn_torch.py --batches "$batches" --batch-size "$batch" --rounds "$rounds" --threads 1)
  a=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["samples_per_second"])' "$ours")
  b=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1].strip().splitlines()[-1])["samples_per_second"])' "$theirs")
  r=$("$python" -c "print(f'{$a/$b:.2f}')")
  ratios+=("$r")
  printf "%-7s %14.0f %14.0f %8s\n" "$repeat" "$a" "$b" "$r"
done
median=$(printf "%s\n" "${ratios[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
echo "median ratio infoplane / pytorch: ${median}x"
