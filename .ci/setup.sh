#!/usr/bin/env bash
# Installs everything InfoPlane needs on Debian 12 beside a Swift toolchain: the native
# libraries, the Fashion-MNIST files, and a Python environment (.venv) with the analysis package
# (analysis/, import `infoplane`), the reference implementations the tests compare against, and
# PyTorch for the recorder.
# Idempotent: a second run checks and exits.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(libopenmpi-dev openmpi-bin libhdf5-dev hdf5-tools libopenblas-dev zlib1g-dev
              pkg-config dataset-fashion-mnist python3 python3-venv curl time)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A virtual environment keeps pip away from a Debian-managed Python (PEP 668); it sees the
# system's site-packages so what is already installed is reused.
python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv --system-site-packages .venv
fi
# The analysis package (analysis/pyproject.toml, import name `infoplane`), installed editable so
# this checkout's edits take effect; installed again only when it is missing, installed from
# another checkout, or pyproject.toml (its dependencies) changed since: the stamp records both.
stamp=".venv/.infoplane-install"
want="$PWD/analysis $(sha256sum analysis/pyproject.toml | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]] ||
   ! .venv/bin/python -c 'import infoplane, os, sys; sys.exit(os.path.dirname(infoplane.__file__) != sys.argv[1])' \
     "$PWD/analysis/infoplane" 2>/dev/null; then
  echo "setup: installing the analysis package (pip install -e ./analysis)" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ./analysis
  echo "$want" > "$stamp"
fi
# The reference implementations and the test tools (analysis/requirements.txt).
if ! .venv/bin/python - <<'PY' 2>/dev/null
import importlib.metadata as m, pathlib, re, sys
for line in pathlib.Path("analysis/requirements.txt").read_text().splitlines():
    line = line.split("#")[0].strip()
    if line:
        m.version(re.split(r"[<>=!~\[ ]", line)[0])
PY
then
  echo "setup: installing Python packages from analysis/requirements.txt" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r analysis/requirements.txt
fi
# PyTorch, for the recorder's tests and analysis/examples/pytorch_cnn.py: PyPI's wheel with its CUDA
# libraries (about a minute and 5.4 GB; it runs on the CPU). Skipped when importable, or with
# INFOPLANE_NO_TORCH=1 (the analysis itself never needs it).
if [[ "${INFOPLANE_NO_TORCH:-0}" != 1 ]] && ! .venv/bin/python -c "import torch" 2>/dev/null; then
  echo "setup: installing PyTorch from PyPI (pip install torch: about a minute, 5.4 GB)" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check torch
fi
