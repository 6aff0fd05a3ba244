"""The CPU tier's precision choice: training images/s of R1 HAN-L/S (80x32, reduced widths) and the Table 7 baselines,
fp32 vs bf16 autocast + channels_last, batch 32, 10 timed steps after 3 warm-up steps, eager.
Run: .venv/bin/python benchmarks/bench_han_tier.py   (writes benchmarks/results/bench_han_tier_<amx|no-amx>.json)
Needs the machine to itself: other jobs on the cores skew the timings.
"""
import statistics
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from reid_repro.core import provenance, save_json
from reid_repro.han import CPU_MODEL
from reid_repro.train import autocast, build_model

MODELS = {"han_l": CPU_MODEL, "han_s": CPU_MODEL, "mobilenet_v2": {}, "shufflenet_v2": {}}


def rate(name: str, bf16: bool, steps: int = 10, warmup: int = 3) -> float:
    "Median training images/s of `name` for 485 identities at 80x32."
    torch.manual_seed(0)
    m = build_model(name, 485, **MODELS[name]).train()
    if bf16: m = m.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(32, 3, 80, 32), torch.randint(0, 485, (32,))
    ts = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        with autocast(torch.device("cpu"), bf16):
            logits = m(x)["logits"]
            loss = sum(F.cross_entropy(z.float(), y) for z in (logits if isinstance(logits, list) else [logits]))
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        if i >= warmup: ts.append(time.perf_counter() - t0)
    return round(32 / statistics.median(ts), 1)


if __name__ == "__main__":
    amx = "amx_tile" in Path("/proc/cpuinfo").read_text()
    out = {"input": [80, 32], "batch": 32, "amx": amx, "img_per_s": {n: {"fp32": rate(n, False), "bf16": rate(n, True)} for n in MODELS}}
    print(out["img_per_s"])
    out.update(provenance("benchmarks/bench_han_tier.py"))
    print("->", save_json(out, Path(__file__).parent / "results" / f"bench_han_tier_{'amx' if amx else 'no-amx'}.json"))
