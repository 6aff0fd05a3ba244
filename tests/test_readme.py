"""README.md is generated from nbs/index.ipynb: the two never drift apart."""
from pathlib import Path

from reid_repro.cli import render_readme

ROOT = Path(__file__).resolve().parents[1]


def test_readme_in_sync_with_index_notebook():
    assert (ROOT / "README.md").read_text() == render_readme(ROOT / "nbs" / "index.ipynb"), (
        "README.md is out of date: run `.venv/bin/reid_repro readme` and commit it")


def test_readme_gives_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert "make reproduce" in text and "make test" in text
