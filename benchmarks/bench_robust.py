"""Robust-ReID 1x/2x against torchreid's HA-CNN: training throughput at 160x64, batch 32, side by side in one run.

The 1x network does more work per image than HA-CNN (0.68 vs 0.54 GMACs), so the comparison is of multiply-adds
per second: GMAC/s = training img/s x forward GMACs per image (backward's cost is proportional for both). HA-CNN is
loaded as in bench_han.py (torchreid 0.2.5's sdist) and, like each Robust-ReID width, runs fp32 (contiguous and
channels_last) and bf16 autocast (channels_last), eager and `torch.compile`d (compiled also fp32 channels_last); each
network's fastest mode is compared with the peer's fastest (`reid_repro.bench.peer_ratios`). Target: Robust 1x >= 1.2x
HA-CNN's GMAC/s, fastest against fastest; 2x reported the same way. Every (network, mode) pair is timed in the same
rounds, round-robin (`reid_repro.bench.time_models`): a rate is the median over the rounds, its min and max are kept
beside it, and a ratio's spread is that of its round-by-round ratios.
--profile adds the ops that take the 1x network's fp32 eager step.
Run: .venv/bin/python benchmarks/bench_robust.py [--quick] [--no-compile] [--profile] [--out PATH]
Writes benchmarks/results/bench_robust_<amx|no-amx>.json by default. Needs the machine to itself; with the compiled
modes it takes over half an hour here.
"""
from functools import partial

import torch

from reid_repro.bench import (HACNN_SETTING, PEER, amx_kind, hacnn_class, modes, peer_parser, peer_ratios, peer_rounds,
                               profile_ops, save_bench, speed_rows, train_step)
from reid_repro.robust import robust

N_ID, TARGET = HACNN_SETTING["num_classes"], 1.2


def main(argv=None):
    a = peer_parser(__doc__.splitlines()[0], "also profile the 1x network's fp32 eager step by op").parse_args(argv)
    steps, warmup, compiled = peer_rounds(a)
    HACNN = hacnn_class()
    robust_modes = modes("fp32 eager", "fp32 channels_last", "bf16 eager",
                         *(("fp32 compiled", "bf16 compiled", "fp32 compiled channels_last") if compiled else ()))
    nets = {**({PEER: (lambda: HACNN(N_ID, use_gpu=False), robust_modes)} if HACNN else {}),
            **{f"Robust {w}": (partial(robust, N_ID, w), robust_modes) for w in ("1x", "2x")}}
    out = {"batch": HACNN_SETTING["batch"], "input": HACNN_SETTING["hw"], "steps": steps, "amx": amx_kind() == "amx",
           "compiled_modes": compiled,
           **speed_rows(nets, repeats=steps, warmup=warmup, **HACNN_SETTING)}
    if a.profile:
        torch.manual_seed(0)
        out["profile_fp32_eager"] = {"Robust 1x": profile_ops(train_step(robust(N_ID, "1x"), **HACNN_SETTING), steps=2 if a.quick else 3)}
    print("->", save_bench(summarise(out), "bench_robust", a.out, suffix="_quick" if a.quick else ""))


def summarise(out: dict) -> dict:
    "`out` with each network's GMAC/s, the ratios to HA-CNN (GMAC/s and img/s, fastest against fastest) and the target's verdict."
    for row in out["models"].values(): row["gmac_per_s"] = round(row["best"][0] * row["macs"] / 1e9, 2) if row["best"] else None
    ours = [k for k in out["models"] if k.startswith("Robust")]
    out["gmac_per_s_vs_hacnn"] = peer_ratios(out, ours, per_mac=True)
    out["img_per_s_vs_hacnn"] = peer_ratios(out, ours)
    if "Robust 1x" in out["gmac_per_s_vs_hacnn"]:
        out["target_met"] = out["gmac_per_s_vs_hacnn"]["Robust 1x"]["best_vs_best"] >= TARGET
        print("GMAC/s over HA-CNN, fastest against fastest:", {k: v["best_vs_best"] for k, v in out["gmac_per_s_vs_hacnn"].items()},
              "target met:", out["target_met"])
    return out


if __name__ == "__main__":
    main()
