"""KVM-MN gallery scoring: pairs/s of the cached, batched scorer vs a naive per-pair forward.

At the paper's head size (224x112, d=512, H=4, d_k=128, L=98) and at the CPU tier (128x64, d=128, d_k=32, L=32),
bf16 autocast, random weights (the cost does not depend on them). Three ways to score Q probes x G gallery images:
  naive_full   the model's forward on one (probe, gallery) pair of images: trunk + memories + co-attention + FFN
  naive_head   the same from cached trunk maps: memories of both images + co-attention + FFN, per pair
  cached       GalleryScorer: memories once per image, probe state once per probe, batched chunks of pairs
Reports ms/pair and pairs/s of each (the per-image encoding of `cached` is reported apart, and amortised over a
gallery), the FLOP-bound ms/pair (pair MACs x 2 / the measured bf16 matmul peak), and the speedups.
Run: .venv/bin/python benchmarks/bench_kvmmn.py   Writes benchmarks/results/bench_kvmmn.json.
Needs the machine to itself: other jobs on the cores skew the timings.
"""
import statistics
import time
from pathlib import Path

import torch

from reid_repro.core import provenance, save_json
from reid_repro.kvmmn import GalleryScorer, GoogLeNetTrunk, KVMMN, KVMMNConfig, kvmmn_cost
from reid_repro.train import autocast

CPU = torch.device("cpu")


def timed(f, repeats=5, warmup=1):
    for _ in range(warmup): f()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def matmul_peak_gflops(n=2048):
    a, b = torch.randn(n, n, dtype=torch.bfloat16), torch.randn(n, n, dtype=torch.bfloat16)
    return 2 * n ** 3 / timed(lambda: a @ b) / 1e9


@torch.no_grad()
def bench(cfg, Q=8, G=256, naive_pairs=8):
    torch.manual_seed(0)
    model = KVMMN(cfg, trunk=GoogLeNetTrunk()).eval()
    imgs = torch.randn(Q + G, 3, *cfg.input_hw)
    with autocast(CPU): maps = model.trunk(imgs).float()
    pa, ga = maps[:Q], maps[Q:]
    scorer = GalleryScorer(model)
    # naive: one forward per pair, as a user would call the model on (probe, gallery)
    def naive(x):
        for i in range(naive_pairs):
            with autocast(CPU): model(x[i % Q][None])
    pair_imgs = torch.stack([imgs[:Q], imgs[Q:2 * Q]], 1)                       # (Q, 2, 3, H, W)
    pair_maps = torch.stack([pa, ga[:Q]], 1)
    t_full = timed(lambda: naive(pair_imgs), repeats=3) / naive_pairs
    trunk, model.trunk = model.trunk, None                                     # the head alone, on trunk maps
    t_head = timed(lambda: naive(pair_maps), repeats=3) / naive_pairs
    mem_p, mem_g = scorer.memories(pa), scorer.memories(ga)
    t_cached = timed(lambda: scorer.scores(mem_p, mem_g)) / (Q * G)
    t_encode = timed(lambda: scorer.memories(ga), repeats=3) / G               # memory per image (head part)
    model.trunk = trunk
    t_trunk = timed(lambda: scorer.memories(imgs[Q:Q + 64]), repeats=3) / 64   # trunk + memory per image
    cost = kvmmn_cost(cfg)
    return {"L": cost["L"], "pair_MMAC": round(cost["pair_macs"] / 1e6, 2), "Q": Q, "G": G,
            "ms_per_pair": {"naive_full": round(t_full * 1e3, 3), "naive_head": round(t_head * 1e3, 3),
                            "cached": round(t_cached * 1e3, 4)},
            "pairs_per_s": {"naive_full": round(1 / t_full, 1), "naive_head": round(1 / t_head, 1),
                            "cached": round(1 / t_cached, 1)},
            "ms_per_image_encode": {"memory_from_maps": round(t_encode * 1e3, 3), "trunk_and_memory": round(t_trunk * 1e3, 3)},
            "speedup_vs_naive_full": round(t_full / t_cached, 1), "speedup_vs_naive_head": round(t_head / t_cached, 1)}


def main():
    peak = matmul_peak_gflops()
    out = {"benchmark": "bench_kvmmn", "bf16_matmul_peak_gflops": round(peak, 1), "runs": {}}
    for name, cfg in [("paper", KVMMNConfig.paper()), ("cpu_tier", KVMMNConfig.cpu())]:
        r = bench(cfg)
        r["flop_bound_ms_per_pair"] = round(2 * r["pair_MMAC"] * 1e6 / (peak * 1e9) * 1e3, 4)
        r["cached_vs_flop_bound"] = round(r["ms_per_pair"]["cached"] / r["flop_bound_ms_per_pair"], 2)
        out["runs"][name] = r
        print(name, r, flush=True)
    out.update(provenance("benchmarks/bench_kvmmn.py"))
    path = save_json(out, Path(__file__).parent / "results" / "bench_kvmmn.json")
    print("->", path)


if __name__ == "__main__":
    main()
