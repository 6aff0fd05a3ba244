"""Each nbs/<notebook>.mutations.json (the mutations `tools/mutations.py` applies to that notebook, with their last
outcomes) still fits its notebook: every target is found once in one code cell, and every mutation has been run."""
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "nbs").glob("*.mutations.json"))
MUTATIONS = [(f.name.removesuffix(".mutations.json"), m) for f in FILES for m in json.loads(f.read_text())]
IDS = [f"{nb}: {m['mutation']}" for nb, m in MUTATIONS]


def code_cells(nb: str) -> list[str]:
    cells = json.loads((ROOT / "nbs" / f"{nb}.ipynb").read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_mutations_file_names_a_notebook(path):
    nb = path.name.removesuffix(".mutations.json")
    assert (ROOT / "nbs" / f"{nb}.ipynb").is_file(), f"{path.name}: there is no nbs/{nb}.ipynb: rename or move it"
    names = [m["mutation"] for m in json.loads(path.read_text())]
    assert len(names) == len(set(names)), f"{path.name}: mutation names repeat: {sorted(n for n in names if names.count(n) > 1)}"


@pytest.mark.parametrize("nb,m", MUTATIONS, ids=IDS)
def test_target_found_once_in_one_code_cell(nb, m):
    counts = [s.count(m["target"]) for s in code_cells(nb)]
    cells = sum(c > 0 for c in counts)
    assert cells == 1 and sum(counts) == 1, (
        f"{nb}: mutation {m['mutation']!r}: its target is found {sum(counts)} times in {cells} code cells of "
        f"nbs/{nb}.ipynb, not once in one: update its target in nbs/{nb}.mutations.json")
    assert m["replacement"] != m["target"], f"{nb}: mutation {m['mutation']!r}: replacement equals target in nbs/{nb}.mutations.json"


@pytest.mark.parametrize("nb,m", MUTATIONS, ids=IDS)
def test_mutation_has_an_outcome(nb, m):
    assert m["caught"] in (True, False), (
        f"{nb}: mutation {m['mutation']!r} has no recorded outcome (caught: {m['caught']!r}): run "
        f"`.venv/bin/python tools/mutations.py {nb} \"{m['mutation']}\"` to record it in nbs/{nb}.mutations.json")
