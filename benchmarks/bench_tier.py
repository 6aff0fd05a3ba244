"""A CPU tier's precision choice: training images/s of the tier's models at 80x32 (reduced widths, as trained),
fp32 vs bf16 autocast + channels_last, batch 32, CE on every classifier, 10 timed steps after 3 warm-up steps, eager;
--compile adds fp32 under torch.compile (warm-up steps then include the compilation, reported as compile_s; a
compiler error is recorded in its place).
  han:    R1 HAN-L/S and the Table 7 baselines (04_han)
  robust: the Robust-ReID tier nets "T" (shuffle and Inception blocks) and "T-D&W" (05_robust)
Run: .venv/bin/python benchmarks/bench_tier.py han|robust [--compile]
Writes benchmarks/results/bench_<paper>_tier_<amx|no-amx>.json. Needs the machine to itself: other jobs skew timings.
"""
import argparse
import statistics
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from reid_repro.core import provenance, save_json
from reid_repro.han import CPU_MODEL
from reid_repro.robust import CPU_T, CPU_T_DW
from reid_repro.backbones import build_model
from reid_repro.trainer import autocast

TIERS = {   # paper -> {row: (registered model, its kwargs)}
    "han": {"han_l": ("han_l", CPU_MODEL), "han_s": ("han_s", CPU_MODEL), "mobilenet_v2": ("mobilenet_v2", {}),
            "shufflenet_v2": ("shufflenet_v2", {})},
    "robust": {"T shuffle": ("robust_1x", CPU_T), "T inception": ("robust_1x", {**CPU_T, "block": "inception"}),
               "T-D&W shuffle": ("robust_1x", CPU_T_DW)}}


def rate(model: str, kwargs: dict, bf16: bool, compiled: bool = False, steps: int = 10, warmup: int = 3) -> tuple[float, float]:
    "Median training images/s of registered `model` (with `kwargs`) for 485 identities at 80x32, and the warm-up's seconds."
    torch.manual_seed(0)
    m = build_model(model, 485, **kwargs).train()
    if bf16: m = m.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    net = torch.compile(m) if compiled else m
    x, y = torch.randn(32, 3, 80, 32), torch.randint(0, 485, (32,))
    ts = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        with autocast(torch.device("cpu"), bf16):
            logits = net(x)["logits"]
            loss = sum(F.cross_entropy(z.float(), y) for z in (logits if isinstance(logits, list) else [logits]))
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        ts.append(time.perf_counter() - t0)
    return round(32 / statistics.median(ts[warmup:]), 1), round(sum(ts[:warmup]), 1)


def row(model: str, kwargs: dict, compiled: bool) -> dict:
    "fp32 and bf16 images/s of one model (+ fp32 compiled and its warm-up seconds)."
    out = {"fp32": rate(model, kwargs, False)[0], "bf16": rate(model, kwargs, True)[0]}
    if compiled:
        try: out["fp32 compiled"], out["compile_s"] = rate(model, kwargs, False, compiled=True)
        except Exception as e: out["fp32 compiled"] = f"{type(e).__name__}: {str(e).strip().splitlines()[0][:200] if str(e).strip() else 'no message'}"
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paper", choices=sorted(TIERS))
    ap.add_argument("--compile", action="store_true", help="also time fp32 under torch.compile")
    a = ap.parse_args()
    amx = "amx_tile" in Path("/proc/cpuinfo").read_text()
    out = {"input": [80, 32], "batch": 32, "amx": amx,
           "img_per_s": {name: row(*spec, a.compile) for name, spec in TIERS[a.paper].items()}}
    print(out["img_per_s"])
    out.update(provenance(f"benchmarks/bench_tier.py {a.paper}{' --compile' * a.compile}"))
    print("->", save_json(out, Path(__file__).parent / "results" / f"bench_{a.paper}_tier_{'amx' if amx else 'no-amx'}.json"))
