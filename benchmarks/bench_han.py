"""HAN-S/M/L against torchreid's HA-CNN: training images/s at 160x64, batch 32, side by side in one run.

The peer is HA-CNN as shipped in the PyPI sdist of torchreid 0.2.5 (`reid_repro.bench.hacnn_class`: fetched once
with `pip download`, its own `use_gpu=False`); the benchmark says so and skips the peer when the sdist cannot be had.
One training step = forward of a batch of 32 at 160x64, CE on both heads (751 identities), backward, SGD. HA-CNN runs
and every HAN run in the same modes: fp32 (contiguous and channels_last) and bf16 autocast (channels_last), eager and
`torch.compile`d; each network's fastest mode is compared with the peer's fastest (`reid_repro.bench.peer_ratios`).
Every (network, mode) pair is timed in the same rounds, round-robin (`reid_repro.bench.time_models`): a rate is the
median over the rounds, its min and max are kept beside it, and a ratio's spread is that of its round-by-round ratios.
--profile adds the ops that take HAN-L's and HA-CNN's fp32 eager step, by self CPU time.
Target: HAN-L >= 1.5x HA-CNN's images/s, fastest against fastest (its MACs are 0.65x), S and M faster still.
Run: .venv/bin/python benchmarks/bench_han.py [--quick] [--no-compile] [--profile] [--sizes SML] [--out PATH]
Writes benchmarks/results/bench_han_<amx|no-amx>.json by default. --quick times 2 rounds (a smoke test; its timings
mean nothing). Needs the machine to itself: other jobs on the cores skew the timings.
"""
from functools import partial

import torch

from reid_repro.bench import (HACNN_SETTING, PEER, amx_kind, hacnn_class, modes, peer_parser, peer_ratios, peer_rounds,
                               profile_ops, save_bench, speed_rows, train_step)
from reid_repro.han import han

N_ID, TARGET = HACNN_SETTING["num_classes"], 1.5


def main(argv=None):
    ap = peer_parser(__doc__.splitlines()[0], "also profile HAN-L's and HA-CNN's fp32 eager step by op")
    ap.add_argument("--sizes", default="SML", help="which HANs to time (default: SML)")
    a = ap.parse_args(argv)
    steps, warmup, compiled = peer_rounds(a)
    HACNN = hacnn_class()
    han_modes = modes("fp32 eager", "fp32 channels_last", "bf16 eager", *(("fp32 compiled", "bf16 compiled") if compiled else ()))
    nets = {**({PEER: (lambda: HACNN(N_ID, use_gpu=False), han_modes)} if HACNN else {}),
            **{f"HAN-{s}": (partial(han, N_ID, s), han_modes) for s in a.sizes}}
    out = {"batch": HACNN_SETTING["batch"], "input": HACNN_SETTING["hw"], "steps": steps, "amx": amx_kind() == "amx",
           "compiled_modes": compiled,
           **speed_rows(nets, repeats=steps, warmup=warmup, **HACNN_SETTING)}
    if a.profile:
        prof = {"HAN-L": lambda: han(N_ID, "L"), **({"HA-CNN": lambda: HACNN(N_ID, use_gpu=False)} if HACNN else {})}
        out["profile_fp32_eager"] = {}
        for k, build in prof.items():
            torch.manual_seed(0)
            p = out["profile_fp32_eager"][k] = profile_ops(train_step(build(), **HACNN_SETTING), steps=2 if a.quick else 3)
            print(k, "depthwise conv", p["share_depthwise_conv"], "other conv", p["share_other_conv"], [(o["op"], o["share"]) for o in p["ops"][:5]], flush=True)
    out["speedup_vs_hacnn"] = peer_ratios(out, [k for k in out["models"] if k.startswith("HAN")])
    if "HAN-L" in out["speedup_vs_hacnn"]:
        out["target_met"] = out["speedup_vs_hacnn"]["HAN-L"]["best_vs_best"] >= TARGET
        print("speed-up over HA-CNN, fastest against fastest:", {k: v["best_vs_best"] for k, v in out["speedup_vs_hacnn"].items()},
              "target met:", out["target_met"])
    print("->", save_bench(out, "bench_han", a.out, suffix="_quick" if a.quick else ""))


if __name__ == "__main__":
    main()
