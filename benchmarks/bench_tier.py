"""A CPU tier's precision choice: training images/s of the tier's models at 80x32 (--hw to change; reduced widths, as trained),
fp32 vs bf16 autocast + channels_last, batch 32, CE on every classifier, 10 timed rounds after 3 warm-up steps, eager;
--compile adds fp32 under torch.compile (warm-up steps then include the compilation, reported as compile_s; a
compiler error is recorded in its place). Every (model, mode) pair is timed in the same rounds, round-robin
(`reid_repro.bench.time_models`): a rate is the median over the rounds, its min and max are kept apart.
The tiers are those the papers declare (`Paper.tier`, read with `reid_repro.bench.tier_models`), e.g.
  han:    R1 HAN-L/S and the Table 7 baselines (04_han)
  robust: the Robust-ReID tier nets "T" (shuffle and Inception blocks) and "T-D&W" (05_robust)
  sambn:  the head on the MobileNetV2 trunk and on ResNet-50's layout at width 0.25, at 128x64 (--hw 128 64; 06_sambn)
  dmosnet: OSNet and DM-OSNet at width 0.5, at 128x64 (--hw 128 64; 07_dmosnet)
Run: .venv/bin/python benchmarks/bench_tier.py <paper> [--compile] [--steps N] [--hw H W] [--out PATH]
Writes benchmarks/results/bench_<paper>_tier_<amx|no-amx>.json by default. Needs the machine to itself.
"""
import argparse
from functools import partial

from reid_repro.backbones import build_model
from reid_repro.bench import amx_kind, modes, save_bench, tier_models, tier_topics, time_models

N_ID, BATCH = 485, 32   # CUHK01's 485 training identities
TIER_MODES = {"fp32": "fp32 eager", "bf16": "bf16 eager", "fp32 compiled": "fp32 compiled"}   # row key -> bench mode


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paper", choices=tier_topics())
    ap.add_argument("--compile", action="store_true", help="also time fp32 under torch.compile")
    ap.add_argument("--steps", type=int, default=10, help="timed rounds (default: %(default)s)")
    ap.add_argument("--hw", type=int, nargs=2, default=[80, 32], metavar=("H", "W"), help="input size (default: 80 32)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    keys = ["fp32", "bf16"] + ["fp32 compiled"] * a.compile
    nets = {label: (partial(build_model, name, N_ID, **kwargs), modes(*(TIER_MODES[k] for k in keys)))
            for label, (name, kwargs) in tier_models(a.paper).items()}
    hw = tuple(a.hw)
    times = time_models(nets, batch=BATCH, hw=hw, num_classes=N_ID, repeats=a.steps, warmup=3)
    rows, spread = {}, {}
    for label, t in times.items():
        s = {k: t[TIER_MODES[k]] for k in keys}
        rows[label] = {k: v["failed"] if "failed" in v else round(v["img_per_s"], 1) for k, v in s.items()}
        if "warmup_s" in s.get("fp32 compiled", {}): rows[label]["compile_s"] = round(s["fp32 compiled"]["warmup_s"], 1)
        spread[label] = {k: [round(v["img_per_s_min"], 1), round(v["img_per_s_max"], 1)] for k, v in s.items() if "failed" not in v}
    out = {"input": list(hw), "batch": BATCH, "steps": a.steps, "amx": amx_kind() == "amx", "img_per_s": rows, "img_per_s_min_max": spread}
    print(out["img_per_s"])
    print("->", save_bench(out, f"bench_{a.paper}_tier", a.out))


if __name__ == "__main__":
    main()
