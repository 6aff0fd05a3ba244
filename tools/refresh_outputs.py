"""Refresh a notebook's saved outputs without training: run every cell `nbdev_test` runs (cells flagged `#| slow`,
which train and draw from checkpoints, are skipped and keep their saved outputs) and save what each printed.

For a notebook whose tables changed while its training plan is still incomplete: `make reproduce` would first
train every missing run of the plan, where this rebuilds the tables from the committed result files alone.

Run: .venv/bin/python tools/refresh_outputs.py nbs/04_han.ipynb [more notebooks]; then nbdev_clean.
"""
import json
import os
import sys
from pathlib import Path

from execnb.shell import CaptureShell
from nbdev.process import NBProcessor
from nbdev.frontmatter import FrontmatterProc


def refresh(path: Path) -> int:
    "Run `path`'s non-slow cells in one kernel and write their outputs back into the notebook; the number refreshed."
    nb = NBProcessor(path, procs=FrontmatterProc, process=True).nb

    def skip(cell):
        if cell.cell_type != "code" or "nbdev_export" + "(" in cell.source: return True
        return "slow" in (getattr(cell, "directives_", {}) or {})

    shell = CaptureShell(path)
    cwd = os.getcwd()
    os.chdir(path.parent)
    try: shell.run_all(nb, exc_stop=True, preproc=skip)
    finally: os.chdir(cwd)
    outputs = {c.id: c.outputs for c in nb.cells if c.cell_type == "code" and not skip(c) and "outputs" in c}
    raw = json.loads(path.read_text())
    for c in raw["cells"]:
        if c.get("id") in outputs: c["outputs"] = [dict(o) for o in outputs[c["id"]]]
    path.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n")
    return len(outputs)


if __name__ == "__main__":
    if len(sys.argv) < 2: raise SystemExit(__doc__)
    os.environ["IN_TEST"] = "1"
    for p in sys.argv[1:]:
        print(f"{p}: {refresh(Path(p).resolve())} cells refreshed", flush=True)
