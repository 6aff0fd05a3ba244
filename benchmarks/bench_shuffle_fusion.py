"""A candidate for Robust-ReID's shuffle units, timed before it is adopted: torchvision's `InvertedResidual` ends with
`torch.cat` then `channel_shuffle` (view, transpose, contiguous copy); one `torch.stack((a, b), 2).flatten(1, 2)`
gives the same interleaved channels in a single copy. The script checks that the 1x network's outputs are
bit-identical with the candidate, then times its training step (160x64, batch 32) with torchvision's forward and with
the candidate, fp32 eager (how every CPU-tier run trains) and fp32 compiled channels_last (the 1x network's best mode
in bench_robust.py), beside HA-CNN fp32 eager, the speed target's peer, timed in the same run.
Run: .venv/bin/python benchmarks/bench_shuffle_fusion.py [--steps N]
Writes benchmarks/results/bench_shuffle_fusion_<amx|no-amx>.json. Needs the machine to itself (about 7 minutes here).
"""
import argparse
import sys
from pathlib import Path

import torch
from torchvision.models.shufflenetv2 import InvertedResidual

sys.path.insert(0, str(Path(__file__).parent))
from bench_han import HW, N_ID, PEER, peer_row, train_rate   # the same peer, step and timing

from reid_repro.core import provenance, save_json
from reid_repro.robust import robust
from reid_repro.evaluation import count_flops

TORCHVISION_FORWARD = InvertedResidual.forward


def stacked_forward(self, x):
    "InvertedResidual's forward with concat + channel shuffle (groups of 2) done as one stack along a new axis."
    if self.stride == 1:
        kept, x2 = x.chunk(2, dim=1)
        a, b = kept, self.branch2(x2)
    else:
        a, b = self.branch1(x), self.branch2(x)
    return torch.stack((a, b), dim=2).flatten(1, 2)


def outputs(forward) -> dict:
    "The 1x network's eval outputs on a fixed input with `forward` in its shuffle units."
    InvertedResidual.forward = forward
    torch.manual_seed(0); model = robust(N_ID, "1x").eval()
    with torch.no_grad(): return model(torch.randn(2, 3, 160, 64))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10)
    a = ap.parse_args(argv)
    ref, cand = outputs(TORCHVISION_FORWARD), outputs(stacked_forward)
    identical = all(torch.equal(ref[k], cand[k]) for k in ref if torch.is_tensor(ref[k]))
    amx = "amx_tile" in Path("/proc/cpuinfo").read_text()
    out = {"steps": a.steps, "amx": amx, "outputs_bit_identical": identical, "img_per_s": {}}
    InvertedResidual.forward = TORCHVISION_FORWARD
    _, peer = peer_row(a.steps)
    if peer: out["img_per_s"][f"{PEER} fp32 eager"] = peer["fp32 eager"]
    for name, forward in (("torchvision", TORCHVISION_FORWARD), ("stacked", stacked_forward)):
        InvertedResidual.forward = forward
        for mode, channels_last, compiled in (("fp32 eager", False, False), ("fp32 compiled channels_last", True, True)):
            torch.manual_seed(0); torch._dynamo.reset()
            out["img_per_s"][f"Robust 1x {name} {mode}"] = train_rate(robust(N_ID, "1x"), False, channels_last, compiled, a.steps)
            print(out["img_per_s"], flush=True)
    InvertedResidual.forward = TORCHVISION_FORWARD
    r = out["img_per_s"]
    out["stacked_over_torchvision"] = {m: round(r[f"Robust 1x stacked {m}"] / r[f"Robust 1x torchvision {m}"], 2)
                                       for m in ("fp32 eager", "fp32 compiled channels_last")}
    if peer:
        macs = count_flops(robust(N_ID, "1x").eval(), torch.randn(1, 3, *HW))["macs"]
        out["gmac_per_s_vs_hacnn_fp32"] = {k: round(v * macs / (peer["fp32 eager"] * peer["macs"]), 2)
                                           for k, v in r.items() if k.startswith("Robust")}
    command = "benchmarks/bench_shuffle_fusion.py " + " ".join(argv if argv is not None else sys.argv[1:])
    out.update(provenance(command))
    print("->", save_json(out, Path(__file__).parent / "results" / f"bench_shuffle_fusion_{'amx' if amx else 'no-amx'}.json"))


if __name__ == "__main__":
    main()
