"""KVM-MN gallery scoring: pairs/s of the cached, batched scorer vs a naive per-pair forward, in fp32 and in bf16.

At the paper's head size (224x112, d=512, H=4, d_k=128, L=98) and at the CPU tier (128x64, d=128, d_k=32, L=32),
random weights (the cost does not depend on them). Three ways to score Q probes x G gallery images, each in fp32
and under bf16 autocast:
  naive_full   the model's forward on one (probe, gallery) pair of images: trunk + memories + co-attention + FFN
  naive_head   the same from cached trunk maps: memories of both images + co-attention + FFN, per pair
  cached       GalleryScorer: memories once per image, probe state once per probe, batched chunks of pairs
Reports ms/pair and pairs/s of each (the per-image encoding of `cached` is reported apart, and amortised over a
gallery), the FLOP-bound ms/pair (the scorer's pair MACs x 2 / the measured matmul peak of that dtype), the speedups, and the
precision GalleryScorer's "auto" picks with its probe's rates. Targets, at the paper size in the auto choice:
cached >= 20x naive_head, and < 2.1 ms/pair (the paper's GTX 1080Ti).
Run: .venv/bin/python benchmarks/bench_kvmmn.py [--quick] [--out PATH]
Writes benchmarks/results/bench_kvmmn_<amx|no-amx>.json by default (what 03_kvmmn reads; _quick.json after --quick).
--quick (tiny Q, G and repeats) is a smoke test of seconds; its timings mean nothing. Needs the machine to itself:
other jobs on the cores skew the timings.
"""
import argparse

import torch
from torch.utils.flop_counter import FlopCounterMode

from reid_repro.bench import DTYPES, matmul_gflops, save_bench, timed
from reid_repro.kvmmn_model import GalleryScorer, GoogLeNetTrunk, KVMMN, KVMMNConfig, kvmmn_cost
from reid_repro.trainer import autocast

CPU = torch.device("cpu")
FULL = dict(Q=8, G=256, naive_pairs=8, repeats=5, encode_images=64, matmul_n=2048)
QUICK = dict(Q=2, G=8, naive_pairs=2, repeats=1, encode_images=4, matmul_n=256)
PAPER_MS_PER_PAIR, MIN_SPEEDUP = 2.1, 20


@torch.no_grad()
def bench_mode(model, imgs, maps, mode, Q, G, naive_pairs, repeats, encode_images, **_):
    "ms/pair of naive_full, naive_head and cached, and ms/image of the encoding, in `mode` (fp32 or bf16)."
    scorer = GalleryScorer(model, precision=mode)
    def naive(x):                                    # one forward per pair, as a user would call the model
        for i in range(naive_pairs):
            with autocast(CPU, mode == "bf16"): model(x[i % Q][None])
    t_full = timed(lambda: naive(torch.stack([imgs[:Q], imgs[Q:2 * Q]], 1)), repeats) / naive_pairs
    trunk, model.trunk = model.trunk, None           # the head alone, on trunk maps
    t_head = timed(lambda: naive(torch.stack([maps[:Q], maps[Q:2 * Q]], 1)), repeats) / naive_pairs
    mem_p, mem_g = scorer.memories(maps[:Q]), scorer.memories(maps[Q:])
    t_cached = timed(lambda: scorer.scores(mem_p, mem_g), repeats) / (Q * G)
    t_encode = timed(lambda: scorer.memories(maps[Q:]), repeats) / G                   # memory per image (head part)
    model.trunk = trunk
    t_trunk = timed(lambda: scorer.memories(imgs[Q:Q + encode_images]), repeats) / encode_images   # trunk + memory
    return {"ms_per_pair": {"naive_full": round(t_full * 1e3, 3), "naive_head": round(t_head * 1e3, 3),
                            "cached": round(t_cached * 1e3, 4)},
            "pairs_per_s": {"naive_full": round(1 / t_full, 1), "naive_head": round(1 / t_head, 1),
                            "cached": round(1 / t_cached, 1)},
            "ms_per_image_encode": {"memory_from_maps": round(t_encode * 1e3, 3), "trunk_and_memory": round(t_trunk * 1e3, 3)},
            "speedup_vs_naive_full": round(t_full / t_cached, 1), "speedup_vs_naive_head": round(t_head / t_cached, 1)}


@torch.no_grad()
def scorer_pair_macs(model, fmap):
    "MACs of one pair in GalleryScorer's rearranged Eqs. 3-6 (fewer than the model's forward: V_h W_o,h is per gallery image)."
    sc = GalleryScorer(model, precision="fp32")
    (KA, uA), (KB, VW) = sc.probe_state(*model.memory(fmap)), sc.gallery_state(*model.memory(fmap))
    with FlopCounterMode(display=False) as fc: sc._score_block(KA[:, None], uA[:, None], KB[None], VW[None])
    return fc.get_total_flops() // 2


@torch.no_grad()
def bench(cfg, peaks, size):
    "Both dtypes of every method at `cfg`, their FLOP bounds, and the precision GalleryScorer's auto picks."
    torch.manual_seed(0)
    model = KVMMN(cfg, trunk=GoogLeNetTrunk()).eval()
    imgs = torch.randn(size["Q"] + size["G"], 3, *cfg.input_hw)
    maps = model.trunk(imgs)
    cost = kvmmn_cost(cfg)
    scorer_macs = scorer_pair_macs(model, maps[:1])
    out = {"L": cost["L"], "pair_MMAC": round(cost["pair_macs"] / 1e6, 2), "scorer_pair_MMAC": round(scorer_macs / 1e6, 2),
           "Q": size["Q"], "G": size["G"]}
    for mode in DTYPES:
        r = bench_mode(model, imgs, maps, mode, **size)
        r["flop_bound_ms_per_pair"] = round(2 * scorer_macs / (peaks[mode] * 1e9) * 1e3, 4)
        r["cached_vs_flop_bound"] = round(r["ms_per_pair"]["cached"] / r["flop_bound_ms_per_pair"], 2)
        out[mode] = r
    auto = GalleryScorer(model)
    out["auto"] = {"precision": auto.precision, "probe_pairs_per_s": auto.rates}
    return out


def targets(run):
    "The paper-size targets, in the precision auto picks."
    mode = run["auto"]["precision"]
    ms, speedup = run[mode]["ms_per_pair"]["cached"], run[mode]["speedup_vs_naive_head"]
    return {"precision": mode, "cached_ms_per_pair": ms, f"below_{PAPER_MS_PER_PAIR}_ms": ms < PAPER_MS_PER_PAIR,
            "speedup_vs_naive_head": speedup, f"at_least_{MIN_SPEEDUP}x": speedup >= MIN_SPEEDUP}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny Q, G and repeats: a smoke test, not a measurement")
    ap.add_argument("--out", default=None, help="result file (default: benchmarks/results/bench_kvmmn_<amx|no-amx>.json)")
    a = ap.parse_args(argv)
    size = QUICK if a.quick else FULL
    peaks = {mode: round(matmul_gflops(mode, size["matmul_n"], size["repeats"]), 1) for mode in DTYPES}
    out = {"benchmark": "bench_kvmmn", "quick": a.quick, "matmul_peak_gflops": peaks, "runs": {}}
    print("matmul peak GFLOP/s", peaks, flush=True)
    for name, cfg in [("paper", KVMMNConfig.paper()), ("cpu_tier", KVMMNConfig.cpu())]:
        out["runs"][name] = bench(cfg, peaks, size)
        print(name, out["runs"][name], flush=True)
    t = out["targets"] = targets(out["runs"]["paper"])
    print(f"paper size, auto = {t['precision']}: cached {t['cached_ms_per_pair']} ms/pair "
          f"(target < {PAPER_MS_PER_PAIR}: {'met' if t[f'below_{PAPER_MS_PER_PAIR}_ms'] else 'MISSED'}), "
          f"{t['speedup_vs_naive_head']}x the naive per-pair head (target >= {MIN_SPEEDUP}x: "
          f"{'met' if t[f'at_least_{MIN_SPEEDUP}x'] else 'MISSED'})")
    print("->", save_bench(out, "bench_kvmmn", a.out, suffix="_quick" if a.quick else ""))


if __name__ == "__main__":
    main()
