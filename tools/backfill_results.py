"""Backfill two fields into result files written before they existed: `tier` and `collapsed`.

- `tier`: every run written before tiers were recorded trained its paper's recipe scaled down to a CPU, so it is
  "paper-recipe" (`trainer.TIERS`).
- `collapsed` (`trainer.collapse_reason`): runs written before `recipe_loss` logged each loss term's chance level.
  For a run trained by a `Recipe` (its config has `losses`), the chance levels are recomputed exactly as training
  logs them now: the recipe's model is built with the run's number of classes, one batch of random images goes
  through it in training mode, and `recipe_loss` reports `<term>_chance`; these join the run's last history row.
  They are stored as `chance_levels` beside `collapsed`. Runs of other trainers (KVM-MN's matching loss) log no
  chance level: `collapsed` stays null.

Nothing else in a file changes. Run: .venv/bin/python tools/backfill_results.py [--dry-run]
"""
import json
import sys
from dataclasses import replace

import torch

from reid_repro.core import project_root, save_json
from reid_repro.datasets import load_dataset
from reid_repro.backbones import build_model
from reid_repro.experiments import config_from_dict
from reid_repro.losses import recipe_loss
from reid_repro.recipe import Recipe
from reid_repro.trainer import collapse_reason


def chance_levels(config: dict) -> dict:
    "Each loss term's chance level for the recipe run with this `config`, as `recipe_loss` logs it."
    r = replace(config_from_dict(Recipe, config), weights=None)
    split = load_dataset(r.dataset, **r.dataset_kwargs)
    num_classes = len({rec.pid for rec in split.train})
    torch.manual_seed(0)
    model = build_model(r.model, num_classes, **r.model_kwargs).train()
    x, y = torch.rand(4, 3, *r.size), torch.tensor([0, 0, 1, 1])
    with torch.no_grad(): _, parts = recipe_loss(r.losses)(model(x), (x, y))
    return {k: round(v, 6) for k, v in parts.items() if k.endswith("_chance")}


def backfill(path, dry_run: bool = False) -> str:
    rec = json.loads(path.read_text())
    new = {}
    if "tier" not in rec: new["tier"] = "paper-recipe"
    if "collapsed" not in rec:
        chance = chance_levels(rec["config"]) if "losses" in rec.get("config", {}) else {}
        last = (rec.get("history") or [{}])[-1]
        new["collapsed"] = collapse_reason({**last, **chance}) if chance else None
        if chance: new["chance_levels"] = chance
    if new and not dry_run: save_json({**rec, **new}, path)
    return f"{path.relative_to(project_root())}: {new.get('tier', '-')}, collapsed: {new.get('collapsed')}" if new else ""


if __name__ == "__main__":
    for f in sorted((project_root() / "results").glob("*/*.json")):
        if line := backfill(f, "--dry-run" in sys.argv): print(line, flush=True)
