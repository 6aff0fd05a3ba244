#!/usr/bin/env bash
# One-step, idempotent install: `make install` runs this.
#
# Two layers, so a fresh clone (CI, a second checkout) does not reinstall ~5.5 GB every time:
#   1. a dependency environment, cached outside the clone and keyed by the hash of constraints.txt and the
#      Python version: $REID_REPRO_CACHE/deps-<key>/ (a venv with every pinned dependency, never the project);
#   2. the clone's own small .venv/, which sees layer 1 through a .pth file and holds the editable install of
#      *this* clone, so two clones sharing the cache never import each other's code.
# Every failure exits non-zero with a one-line reason on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "install: $*" >&2; exit 1; }

PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || die "no '$PYTHON' on PATH; install Python >= 3.10 or run 'make install PYTHON=/path/to/python3'"
"$PYTHON" -c 'import sys' >/dev/null 2>&1 || die "'$PYTHON' does not run (run 'make install PYTHON=/path/to/python3')"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  die "$("$PYTHON" -V 2>&1) is too old; Python >= 3.10 is needed (make install PYTHON=...)"
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || die "'$PYTHON' lacks venv/ensurepip; install your distribution's python3-venv"
[ -f constraints.txt ] || die "constraints.txt is missing; run from a complete checkout"

pyver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
key=$( { cat constraints.txt; echo "$pyver"; uname -m; } | sha256sum | cut -c1-16)
cache=${REID_REPRO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reid_repro}
deps=$cache/deps-$key
mkdir -p "$cache" || die "cannot create the cache folder $cache (set REID_REPRO_CACHE to a writable folder)"

# The local CPU-only torch wheel (pip's find-links) must never be paired with the registry's CUDA torchvision:
# the two do not import together. Every package comes from the registry, at the version constraints.txt pins.
pip_quiet() {
  PIP_FIND_LINKS= PIP_NO_INPUT=1 "$@" --no-warn-script-location --disable-pip-version-check -q 2>&1 |
    { grep -v '^WARNING: Location' || true; }
  return "${PIPESTATUS[0]}"
}

# Layer 1 (locked, so two concurrent installs do not build the same cache twice).
exec 9>"$cache/.lock-$key"
flock 9
if [ ! -f "$deps/.complete" ]; then
  echo "install: building the dependency environment $deps (several minutes, once per constraints.txt)"
  rm -rf "$deps"
  "$PYTHON" -m venv "$deps" || die "python -m venv failed for $deps"
  reqs=$(sed -n -e 's/^requirements *= *//p' -e 's/^dev_requirements *= *//p' settings.ini | tr ' ' '\n' | grep .)
  # shellcheck disable=SC2086
  pip_quiet "$deps/bin/python" -m pip install --no-cache-dir -c constraints.txt $reqs ||
    die "pip could not install the pinned dependencies into $deps (see pip's message above)"
  "$deps/bin/python" -m pip check >/dev/null 2>&1 || die "dependency conflict in $deps: run '$deps/bin/python -m pip check'"
  # Packages wanted for a file they ship (settings.ini's nodeps_requirements), without their dependencies;
  # installed after `pip check`, which would flag the dependencies left out (CONTRIBUTING.md says why).
  nodeps=$(sed -n -e 's/^nodeps_requirements *= *//p' settings.ini)
  # shellcheck disable=SC2086
  [ -z "$nodeps" ] || pip_quiet "$deps/bin/python" -m pip install --no-cache-dir --no-deps -c constraints.txt $nodeps ||
    die "pip could not install $nodeps into $deps (see pip's message above)"
  touch "$deps/.complete"
fi
flock -u 9

# Layer 2: the clone's own venv (seconds).
sp() { "$1" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }
if [ ! -x .venv/bin/python ] || [ "$(readlink -f .venv/.deps 2>/dev/null)" != "$(readlink -f "$deps")" ]; then
  rm -rf .venv
  "$PYTHON" -m venv --without-pip .venv || die "python -m venv .venv failed"
  echo "import site; site.addsitedir('$(sp "$deps/bin/python")')" > "$(sp .venv/bin/python)/_reid_repro_deps.pth"
  ln -s "$deps" .venv/.deps
  # Jupyter finds its data (JupyterLab's static app, kernelspecs) under sys.prefix/share and etc.
  for d in share etc; do [ -e "$deps/$d" ] && ln -s "$deps/$d" ".venv/$d"; done
  # The dependencies' console scripts, run by this venv's Python so they import this clone's package.
  for f in "$deps"/bin/*; do
    name=$(basename "$f")
    [ -e ".venv/bin/$name" ] && continue
    if head -c 2 "$f" | grep -q '#!' && head -n 1 "$f" | grep -q python; then
      { echo "#!$PWD/.venv/bin/python"; tail -n +2 "$f"; } > ".venv/bin/$name" && chmod +x ".venv/bin/$name"
    fi
  done
fi
stamp=$(cat setup.py settings.ini pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat .venv/.editable 2>/dev/null)" != "$stamp" ]; then
  pip_quiet .venv/bin/python -m pip install --no-deps --no-build-isolation -e . ||
    die "editable install of this clone failed: run '.venv/bin/python -m pip install --no-deps -e .'"
  echo "$stamp" > .venv/.editable
fi

# Fail now, not in the middle of a test run, if the environment is unusable.
.venv/bin/python - <<'EOF' || die "the installed environment does not import (see the traceback above)"
import os, torch, torchvision, nbdev, reid_repro
from torchvision.ops import nms  # fails when torch and torchvision come from different builds
here = os.path.realpath("reid_repro")
assert os.path.realpath(os.path.dirname(reid_repro.__file__)) == here, f"reid_repro imports from {reid_repro.__file__}, not {here}"
print(f"install: ok (torch {torch.__version__}, torchvision {torchvision.__version__}, nbdev {nbdev.__version__}, "
      f"reid_repro {reid_repro.__version__} from {here})")
EOF
