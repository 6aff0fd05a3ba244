"""Robust-ReID 1x/2x against torchreid's HA-CNN: training throughput at 160x64, batch 32, side by side in one run.

The 1x network does more work per image than HA-CNN (0.68 vs 0.54 GMACs), so the comparison is of multiply-adds
per second: GMAC/s = training img/s x forward GMACs per image (backward's cost is proportional for both). HA-CNN is
loaded and timed exactly as in bench_han.py (torchreid 0.2.5's sdist, fp32 as shipped); each Robust-ReID width runs
fp32 (contiguous and channels_last) and bf16 autocast (channels_last), eager and `torch.compile`d, and its best is
compared. Target: Robust 1x >= 1.2x HA-CNN's fp32 GMAC/s; 2x reported the same way. With the compiled modes, HA-CNN is
also timed compiled in fp32 (reported beside the target's ratio, which stays against HA-CNN as shipped) and each
Robust width compiled in fp32 channels_last. Every (network, mode) pair is timed in the same rounds, round-robin
(`reid_repro.bench.time_models`): a rate is the median over the rounds, its min and max are kept beside it.
--profile adds the ops that take the 1x network's fp32 eager step.
Run: .venv/bin/python benchmarks/bench_robust.py [--quick] [--no-compile] [--profile] [--out PATH]
Writes benchmarks/results/bench_robust_<amx|no-amx>.json by default. Needs the machine to itself; with the compiled
modes it takes over half an hour here.
"""
from functools import partial

import torch

from reid_repro.bench import (HACNN_SETTING, PEER, amx_kind, hacnn_class, modes, peer_parser, peer_rounds, profile_ops,
                               save_bench, speed_rows, train_step)
from reid_repro.robust import robust

N_ID, TARGET = HACNN_SETTING["num_classes"], 1.2


def main(argv=None):
    a = peer_parser(__doc__.splitlines()[0], "also profile the 1x network's fp32 eager step by op").parse_args(argv)
    steps, warmup, compiled = peer_rounds(a)
    HACNN = hacnn_class()
    robust_modes = modes("fp32 eager", "fp32 channels_last", "bf16 eager",
                         *(("fp32 compiled", "bf16 compiled", "fp32 compiled channels_last") if compiled else ()))
    nets = {**({PEER: (lambda: HACNN(N_ID, use_gpu=False), modes("fp32 eager", *(("fp32 compiled",) if compiled else ())))}
               if HACNN else {}),
            **{f"Robust {w}": (partial(robust, N_ID, w), robust_modes) for w in ("1x", "2x")}}
    out = {"batch": HACNN_SETTING["batch"], "input": HACNN_SETTING["hw"], "steps": steps, "amx": amx_kind() == "amx",
           "compiled_modes": compiled,
           **speed_rows(nets, repeats=steps, warmup=warmup, **HACNN_SETTING)}
    peer = out["models"].get(PEER)
    if peer and isinstance(peer["fp32 eager"], float): peer["best"] = [peer["fp32 eager"], "fp32 eager"]   # the target's peer: as shipped
    if a.profile:
        torch.manual_seed(0)
        out["profile_fp32_eager"] = {"Robust 1x": profile_ops(train_step(robust(N_ID, "1x"), **HACNN_SETTING), steps=2 if a.quick else 3)}
    print("->", save_bench(summarise(out), "bench_robust", a.out, suffix="_quick" if a.quick else ""))


def summarise(out: dict) -> dict:
    "`out` with each network's GMAC/s, the ratios to HA-CNN's fp32 (when timed) and the target's verdict."
    for row in out["models"].values(): row["gmac_per_s"] = round(row["best"][0] * row["macs"] / 1e9, 2) if row["best"] else None
    peer = out["models"].get(PEER)
    if peer and isinstance(peer["fp32 eager"], float):
        ours = {k: v for k, v in out["models"].items() if k.startswith("Robust") and v["best"]}
        out["gmac_per_s_vs_hacnn_fp32"] = {k: round(v["gmac_per_s"] / peer["gmac_per_s"], 2) for k, v in ours.items()}
        out["img_per_s_vs_hacnn_fp32"] = {k: round(v["best"][0] / peer["best"][0], 2) for k, v in ours.items()}
        if isinstance(peer.get("fp32 compiled"), float):
            out["gmac_per_s_vs_hacnn_fp32_compiled"] = {k: round(v["gmac_per_s"] / (peer["fp32 compiled"] * peer["macs"] / 1e9), 2) for k, v in ours.items()}
        out["target_met"] = out["gmac_per_s_vs_hacnn_fp32"].get("Robust 1x", 0) >= TARGET
        print("GMAC/s over HA-CNN fp32:", out["gmac_per_s_vs_hacnn_fp32"], "img/s:", out["img_per_s_vs_hacnn_fp32"], "target met:", out["target_met"])
    return out


if __name__ == "__main__":
    main()
