"""Is data loading the bottleneck of a training step? (reid_repro.data)

Times a ResNet-18 training step (torchvision, random init, bf16 autocast, channels_last, SGD, batch 64 = 16 ids x 4
images from `PKSampler`) on CUHK01's training images (a generated fixture when CUHK01 is absent):

Times are medians (and minima) over the steps or batches, since other jobs may share the cores; settings compared
with each other take turns, one step each per round (`reid_repro.bench.time_modes`).

- `step_fixed_batch`: the step on one batch already in memory (no loading at all);
- `step_loader_nwN`: the step with its batch taken from a `DataLoader` over `ReIDImages` (per-image
  `train_transforms`), N = 0 and 1 worker processes;
- `loader_only_nwN`: the loader alone, images per second;
- `augment_per_image` / `augment_batched`: the per-image v2 pipeline versus `BatchAugment` on one batch.

Writes benchmarks/results/bench_data.json (or --out). Usage:
    python benchmarks/bench_data.py [--size 256x128] [--batch 64] [--steps 5] [--device cpu|cuda]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
import torch
import torchvision
from torch.utils.data import DataLoader

from reid_repro.bench import save_bench, time_modes, timed
from reid_repro.core import data_root
from reid_repro.datasets import load_dataset
from reid_repro.loaders import BatchAugment, ImageBank, PKSampler, ReIDImages, train_transforms


def get_split():
    "CUHK01 485/486 split 0 when present, else a generated 200-id CUHK01 fixture."
    if (data_root() / "cuhk01" / "campus").is_dir():
        return load_dataset("cuhk01", num_test=486), "cuhk01 485/486 split 0 (real data)"
    from reid_repro.datasets import _fixture_cuhk01
    tmp = Path(tempfile.mkdtemp(prefix="bench_data_"))
    _fixture_cuhk01(tmp, num_ids=400)
    return load_dataset("cuhk01", tmp, num_test=200), "generated CUHK01 fixture (cuhk01 absent)"


def sync(device):
    if device == "cuda": torch.cuda.synchronize()


def ms(stats: dict) -> list[float]:
    "The milliseconds of every round of a `time_modes` entry (which must not have failed)."
    if "failed" in stats: raise SystemExit(f"a timed setting failed: {stats['failed']}")
    return [s * 1000 for s in stats["seconds"]]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="256x128")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=5, help="timed steps per setting (after 1 warm-up step)")
    ap.add_argument("--loader-batches", type=int, default=20)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--out", default=None, help="result file (default: benchmarks/results/bench_data.json)")
    args = ap.parse_args(argv)
    h, w = map(int, args.size.split("x"))
    dev, P, K = args.device, args.batch // 4, 4
    load_start = os.getloadavg()
    torch.manual_seed(0)

    split, what = get_split()
    t0 = time.perf_counter()
    bank = ImageBank([r.path for r in split.train], (h, w))
    decode_s = time.perf_counter() - t0
    ds = ReIDImages(split.train, bank, train_transforms(h, w), relabel=True)
    print(f"{what}: {len(bank)} train images decoded in {decode_s:.1f} s ({len(bank) / decode_s:.0f} img/s)", flush=True)

    model = torchvision.models.resnet18(num_classes=ds.num_classes).to(dev, memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    lossf = torch.nn.CrossEntropyLoss()

    def step(x, y):
        x = x.to(dev, non_blocking=True).contiguous(memory_format=torch.channels_last)
        y = y.to(dev, non_blocking=True)
        with torch.autocast(dev, dtype=torch.bfloat16):
            loss = lossf(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    # The three settings take turns, one step each per round, so that load from other jobs on the machine hits
    # them alike; each step's time includes fetching its batch. One warm-up step each.
    x0, y0 = next(iter(DataLoader(ds, batch_sampler=PKSampler(ds.labels, P, K, seed=0))))[:2]
    iters = {nw: iter(DataLoader(ds, batch_sampler=PKSampler(ds.labels, P, K, seed=1), num_workers=nw,
                                 persistent_workers=nw > 0, pin_memory=dev == "cuda")) for nw in (0, 1)}
    fetch = {"step_fixed_batch": lambda: (x0, y0), "step_loader_nw0": lambda: next(iters[0])[:2],
             "step_loader_nw1": lambda: next(iters[1])[:2]}
    def fetch_and_step(f): step(*f()); sync(dev)
    times = {k: ms(v) for k, v in time_modes({k: partial(fetch_and_step, f) for k, f in fetch.items()}, args.batch,
                                             repeats=args.steps, warmup=1, verbose=True).items()}
    res = {k: {"ms_per_step": round(float(np.median(v)), 1), "min_ms": round(min(v), 1)} for k, v in times.items()}
    for nw in (0, 1):
        extra = np.array(times[f"step_loader_nw{nw}"]) - np.array(times["step_fixed_batch"])
        res[f"step_loader_nw{nw}"]["median_extra_ms_vs_fixed_same_round"] = round(float(np.median(extra)), 1)
    iters.clear()
    for nw in (0, 1):
        dl = DataLoader(ds, batch_sampler=PKSampler(ds.labels, P, K, seed=2, batches_per_epoch=args.loader_batches + 1),
                        num_workers=nw)
        it = iter(dl)
        next(it)                                        # start-up (worker fork) not counted
        times, t = [], time.perf_counter()
        for _ in it: times.append(time.perf_counter() - t); t = time.perf_counter()
        med = float(np.median(times))
        res[f"loader_only_nw{nw}"] = {"img_per_s": round(args.batch / med), "ms_per_batch": round(med * 1000, 1),
                                      "min_ms": round(min(times) * 1000, 1)}
        print(f"loader only nw={nw}", res[f"loader_only_nw{nw}"], flush=True)

    idx = PKSampler(ds.labels, P, K, seed=3).batches(0)[0]
    xb = ds.get_batch(idx)[0]
    tf, aug = train_transforms(h, w), BatchAugment(h, w)
    def per_image(): return torch.stack([tf(im) for im in xb])
    aug_times = time_modes({"augment_per_image": per_image, "augment_batched": lambda: aug(xb)}, args.batch, repeats=9, warmup=1)
    for name, v in aug_times.items():
        res[name] = {"ms_per_batch": round(float(np.median(ms(v))), 1), "min_ms": round(min(ms(v)), 1), "device": "cpu"}
    if dev == "cuda":
        xg = xb.to(dev)
        res["augment_batched_gpu"] = {"ms_per_batch": round(timed(lambda: (aug(xg), sync(dev)), repeats=20) * 1000, 2), "device": dev}
    print({k: v for k, v in res.items() if k.startswith("augment")}, flush=True)

    out = {"dataset": what, "decode_img_per_s": round(len(bank) / decode_s),
           "config": {"model": "resnet18 (random init)", "size": f"{h}x{w}", "batch": args.batch, "P": P, "K": K,
                      "autocast": "bfloat16", "channels_last": True, "device": dev, "steps": args.steps,
                      "transforms": "train_transforms(h, w): flip, pad 10 + crop, erasing p=0.5"},
           "results": res, "load_avg_start": [round(x, 2) for x in load_start],
           "load_avg_end": [round(x, 2) for x in os.getloadavg()]}
    print("->", save_bench(out, "bench_data", args.out, by_kind=False))


if __name__ == "__main__":
    main()
