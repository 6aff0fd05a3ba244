"""Can a network overfit 64 CUHK01 training images (16 identities x 4)? The check that found the baseline head's bug:
with the classifier fed the L2-normalised BNNeck feature, OSNet x0.5's cross-entropy barely fell.

Trains each network for 150 Adam steps (3.5e-4, weight decay 5e-4, label smoothing 0.1, batches of 32 drawn from the
64 images, 128x64, no augmentation) and records the cross-entropy every 25 steps: OSNet x0.5 with the shared head as
it is, OSNet x0.5 with the classifier fed the normalised feature (the old head, emulated), ResNet-18.
Run: .venv/bin/python tools/overfit_check.py [--out PATH]  (needs CUHK01 under data/; about 3 minutes on 2 cores)
Writes benchmarks/results/overfit_check.json with the machine's provenance.
"""
import argparse

import torch
import torch.nn.functional as F

from reid_repro.backbones import build_model
from reid_repro.bench import save_bench
from reid_repro.datasets import load_dataset
from reid_repro.loaders import read_image, test_transforms

STEPS, EVERY = 150, 25


def images(num_ids: int = 16, per_id: int = 4):
    "The first `num_ids` training identities of CUHK01 485/486 (split 0), `per_id` images each, normalised as at test time, 128x64."
    by_id = {}
    for r in load_dataset("cuhk01", num_test=486).train: by_id.setdefault(r.pid, []).append(r)
    ids = sorted(by_id)[:num_ids]
    recs = [r for p in ids for r in by_id[p][:per_id]]
    to_input = test_transforms(128, 64)
    x = torch.stack([to_input(read_image(r.path)) for r in recs])
    return x, torch.tensor([ids.index(r.pid) for r in recs])


def ce_curve(model, x, y, normalised_logits: bool = False) -> list[float]:
    "Cross-entropy every `EVERY` steps (and the last) of `STEPS` Adam steps on random halves of (x, y)."
    torch.manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), 3.5e-4, weight_decay=5e-4)
    curve = []
    for i in range(STEPS):
        idx = torch.randperm(len(x))[:32]
        out = model.train()(x[idx])
        logits = model.classifier(out["emb"]) if normalised_logits else out["logits"]
        ce = F.cross_entropy(logits, y[idx], label_smoothing=0.1)
        opt.zero_grad(); ce.backward(); opt.step()
        if i % EVERY == 0 or i == STEPS - 1: curve.append(round(ce.item(), 3))
    return curve


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None, help="the result file (default: benchmarks/results/overfit_check.json)")
    a = ap.parse_args(argv)
    x, y = images()
    nets = {"osnet_x0_5": ("osnet_x0_5", False), "osnet_x0_5, classifier on the L2-normalised feature": ("osnet_x0_5", True),
            "resnet18": ("resnet18", False)}
    out = {"steps": STEPS, "every": EVERY, "images": len(x), "identities": int(y.max()) + 1, "ce": {}}
    for label, (name, normalised) in nets.items():
        torch.manual_seed(0)
        out["ce"][label] = ce_curve(build_model(name, out["identities"]), x, y, normalised)
        print(label, out["ce"][label], flush=True)
    print("->", save_bench(out, "overfit_check", a.out, by_kind=False, command="tools/overfit_check.py"))


if __name__ == "__main__":
    main()
