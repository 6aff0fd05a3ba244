#!/usr/bin/env bash
# Fails when nbdev_clean or nbdev_export would change tracked files: the notebooks must carry clean metadata and
# reid_repro/ must be exactly what the notebooks export. On a clean checkout (CI) the tree must stay clean; in a
# working tree with uncommitted edits, the two commands must change nothing further.
set -euo pipefail
cd "$(dirname "$0")/.."
snapshot() { git status --porcelain; git diff; }
before=$(snapshot)
.venv/bin/nbdev_clean
.venv/bin/nbdev_export
after=$(snapshot)
if [ "$before" != "$after" ]; then
  echo "check-sync: nbdev_clean/nbdev_export changed the tree; the library and notebooks were out of sync:" >&2
  git status --porcelain >&2
  echo "check-sync: review 'git diff' and commit the result (reid_repro/ is generated, never edited by hand)" >&2
  exit 1
fi
if [ -n "$after" ]; then
  echo "check-sync: notebooks and library in sync (the tree has uncommitted changes, which CI will not see)"
else
  echo "check-sync: notebooks and library in sync; git status --porcelain is empty"
fi
