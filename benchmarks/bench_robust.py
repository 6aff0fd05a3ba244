"""Robust-ReID 1x/2x against torchreid's HA-CNN: training throughput at 160x64, batch 32, side by side in one run.

The 1x network does more work per image than HA-CNN (0.68 vs 0.54 GMACs), so the comparison is of multiply-adds
per second: GMAC/s = training img/s x forward GMACs per image (backward's cost is proportional for both). HA-CNN is
loaded and timed exactly as in bench_han.py (torchreid 0.2.5's sdist, fp32 as shipped); each Robust-ReID width runs
fp32 (contiguous and channels_last) and bf16 autocast (channels_last), eager and `torch.compile`d, and its best is
compared. Target: Robust 1x >= 1.2x HA-CNN's fp32 GMAC/s; 2x reported the same way. With the compiled modes, HA-CNN is
also timed compiled in fp32 (reported beside the target's ratio, which stays against HA-CNN as shipped) and each
Robust width compiled in fp32 channels_last. --profile adds the ops that take the 1x network's fp32 eager step.
Run: .venv/bin/python benchmarks/bench_robust.py [--quick] [--no-compile] [--profile] [--out PATH]
Writes benchmarks/results/bench_robust_<amx|no-amx>.json by default (and, after each width, a .partial.json that an
interrupted run leaves behind). Needs the machine to itself; with the compiled modes it takes over half an hour here.
"""
import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from bench_han import BATCH, HW, N_ID, PEER, model_row, peer_row, profile_ops, timing_modes, train_rate   # the same peer, step and timing

from reid_repro.core import provenance, save_json
from reid_repro.robust import robust

TARGET = 1.2


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 timed steps, no compilation: a smoke test")
    ap.add_argument("--no-compile", action="store_true", help="eager modes only")
    ap.add_argument("--profile", action="store_true", help="also profile the 1x network's fp32 eager step by op")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    steps = 2 if a.quick else 10
    amx = "amx_tile" in Path("/proc/cpuinfo").read_text()
    out = {"batch": BATCH, "input": HW, "steps": steps, "amx": amx, "compiled_modes": not (a.quick or a.no_compile), "models": {}}
    compiled = not (a.quick or a.no_compile)
    HACNN, peer = peer_row(steps)
    if peer:
        if compiled: torch.manual_seed(0); peer["fp32 compiled"] = train_rate(HACNN(N_ID, use_gpu=False), False, False, True, steps)
        out["models"][PEER] = {**peer, "best": [peer["fp32 eager"], "fp32 eager"]}    # the target's peer: HA-CNN as shipped
    modes = timing_modes(compiled) + ([("fp32 compiled channels_last", False, True, True)] if compiled else [])
    default = Path(__file__).parent / "results" / f"bench_robust_{'amx' if amx else 'no-amx'}{'_quick' if a.quick else ''}.json"
    path = Path(a.out or default)
    partial = path.with_name(path.stem + ".partial.json")      # what an interrupted run had timed
    command = "benchmarks/bench_robust.py " + " ".join(argv if argv is not None else sys.argv[1:])
    for width in ("1x", "2x"):
        out["models"][f"Robust {width}"] = model_row(lambda: robust(N_ID, width), f"Robust {width}", modes, steps)
        save_json(summarise(out, command), partial)
    if a.profile:
        torch.manual_seed(0); out["profile_fp32_eager"] = {"Robust 1x": profile_ops(robust(N_ID, "1x"), steps=2 if a.quick else 3)}
    print("->", save_json(summarise(out, command), path))
    partial.unlink(missing_ok=True)


def summarise(out: dict, command: str) -> dict:
    "`out` with each network's GMAC/s, the ratios to HA-CNN's fp32 (when timed), the target's verdict and provenance."
    for row in out["models"].values(): row["gmac_per_s"] = round(row["best"][0] * row["macs"] / 1e9, 2)
    peer = out["models"].get(PEER)
    if peer:
        out["gmac_per_s_vs_hacnn_fp32"] = {k: round(v["gmac_per_s"] / peer["gmac_per_s"], 2) for k, v in out["models"].items() if k.startswith("Robust")}
        out["img_per_s_vs_hacnn_fp32"] = {k: round(v["best"][0] / peer["best"][0], 2) for k, v in out["models"].items() if k.startswith("Robust")}
        if "fp32 compiled" in peer:
            out["gmac_per_s_vs_hacnn_fp32_compiled"] = {k: round(v["gmac_per_s"] / (peer["fp32 compiled"] * peer["macs"] / 1e9), 2) for k, v in out["models"].items() if k.startswith("Robust")}
        out["target_met"] = out["gmac_per_s_vs_hacnn_fp32"]["Robust 1x"] >= TARGET
        print("GMAC/s over HA-CNN fp32:", out["gmac_per_s_vs_hacnn_fp32"], "img/s:", out["img_per_s_vs_hacnn_fp32"], "target met:", out["target_met"])
    out.update(provenance(command))
    return out

if __name__ == "__main__":
    main()
