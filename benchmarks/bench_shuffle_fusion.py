"""A candidate for Robust-ReID's shuffle units, timed before it is adopted: torchvision's `InvertedResidual` ends with
`torch.cat` then `channel_shuffle` (view, transpose, contiguous copy); one `torch.stack((a, b), 2).flatten(1, 2)`
gives the same interleaved channels in a single copy. The script checks that the 1x network's outputs are
bit-identical with the candidate, then times its training step (160x64, batch 32) with torchvision's forward and with
the candidate, fp32 eager (how every CPU-tier run trains) and fp32 compiled channels_last (the 1x network's best mode
in bench_robust.py), beside HA-CNN fp32 eager, the speed target's peer: all in the same rounds, round-robin
(`reid_repro.bench.time_models`; a rate is the median over the rounds).
Run: .venv/bin/python benchmarks/bench_shuffle_fusion.py [--steps N] [--no-compile] [--out PATH]
Writes benchmarks/results/bench_shuffle_fusion_<amx|no-amx>.json by default. Needs the machine to itself (about 7
minutes here).
"""
import argparse

import torch
from torchvision.models.shufflenetv2 import InvertedResidual

from reid_repro.bench import HACNN_SETTING, PEER, amx_kind, hacnn_class, modes, save_bench, speed_rows
from reid_repro.robust import robust

N_ID = HACNN_SETTING["num_classes"]


class StackedInvertedResidual(InvertedResidual):
    "InvertedResidual's forward with concat + channel shuffle (groups of 2) done as one stack along a new axis."
    def forward(self, x):
        if self.stride == 1:
            kept, x2 = x.chunk(2, dim=1)
            a, b = kept, self.branch2(x2)
        else:
            a, b = self.branch1(x), self.branch2(x)
        return torch.stack((a, b), dim=2).flatten(1, 2)


def robust_1x(stacked: bool) -> torch.nn.Module:
    "The 1x network (seed 0), its shuffle units with the stacked forward if `stacked`."
    torch.manual_seed(0); model = robust(N_ID, "1x")
    for m in model.modules():
        if stacked and isinstance(m, InvertedResidual): m.__class__ = StackedInvertedResidual
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10, help="timed rounds (default: %(default)s)")
    ap.add_argument("--no-compile", action="store_true", help="fp32 eager only (a smoke test)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    x = torch.randn(2, 3, *HACNN_SETTING["hw"])
    with torch.no_grad(): ref, cand = robust_1x(False).eval()(x), robust_1x(True).eval()(x)
    identical = all(torch.equal(ref[k], cand[k]) for k in ref if torch.is_tensor(ref[k]))
    HACNN = hacnn_class()
    ours = modes("fp32 eager", *(() if a.no_compile else ("fp32 compiled channels_last",)))
    nets = {**({PEER: (lambda: HACNN(N_ID, use_gpu=False), modes("fp32 eager"))} if HACNN else {}),
            "Robust 1x torchvision": (lambda: robust_1x(False), ours), "Robust 1x stacked": (lambda: robust_1x(True), ours)}
    rows = speed_rows(nets, repeats=a.steps, **HACNN_SETTING)
    r = {f"{label} {m}": v for label, row in rows["models"].items() for m, v in row.items() if m not in ("macs", "best")}
    out = {"steps": a.steps, "amx": amx_kind() == "amx", "outputs_bit_identical": identical, "img_per_s": r,
           "img_per_s_min_max": rows["img_per_s_min_max"],
           "stacked_over_torchvision": {m: round(r[f"Robust 1x stacked {m}"] / r[f"Robust 1x torchvision {m}"], 2) for m in ours
                                        if all(isinstance(r[f"Robust 1x {v} {m}"], float) for v in ("stacked", "torchvision"))}}
    peer = rows["models"].get(PEER)
    if peer and isinstance(peer["fp32 eager"], float):
        macs = rows["models"]["Robust 1x torchvision"]["macs"]
        out["gmac_per_s_vs_hacnn_fp32"] = {k: round(v * macs / (peer["fp32 eager"] * peer["macs"]), 2)
                                           for k, v in r.items() if k.startswith("Robust") and isinstance(v, float)}
    print(out["stacked_over_torchvision"], "bit-identical:", identical)
    print("->", save_bench(out, "bench_shuffle_fusion", a.out))


if __name__ == "__main__":
    main()
