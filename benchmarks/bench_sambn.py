"""SAMBN against plain ResNet-50: training images/s and peak memory at 256x128, batch 32, in one run.

The peer is ResNet-50 with last stride 1 and one classifier (`build_model("resnet50")`: torchvision's ResNet-50, global
average pooling, BN and one bias-free classifier, the shared baseline). Ours: the full SAMBN (attention after stage 3,
four classifiers, spectral normalisation of every conv), then each of its three additions alone on the plain head
(no attention and one classifier unless named) to attribute the cost, and the attention after stage 1 (N = 2048
positions). One training step = forward of a batch of 32, CE on every classifier (751 identities), backward, SGD.
Every (network, mode) pair is timed in the same rounds, round-robin (`reid_repro.bench.time_models`): medians with
their min and max. Modes: fp32 eager, fp32 channels_last, bf16 autocast + channels_last; --compile adds fp32 compiled.
Memory: in a fresh process per network, the growth of peak resident memory (Linux's VmHWM, reset through
/proc/self/clear_refs) over two fp32 eager training steps (activations, gradients, optimiser state), after building
the network and its batch; for the attention after stage
1 also with the 2048 x 2048 attention map held (the explicit softmax path), to show what the fused
`scaled_dot_product_attention` saves.
Target: the full SAMBN at >= 0.9x plain ResNet-50's img/s, fastest mode against fastest (attention, spectral norm and
four classifiers cost at most 10%).
Run: .venv/bin/python benchmarks/bench_sambn.py [--quick] [--compile] [--memory-only] [--hw H W] [--out PATH]
Writes benchmarks/results/bench_sambn_<amx|no-amx>.json by default (--memory-only: bench_sambn_memory_<kind>.json,
the memory probes alone). --quick: 2 rounds at 64x32, a smoke test whose
timings mean nothing. Needs the machine to itself.
"""
import argparse
import json
import subprocess
import sys
from functools import partial

from reid_repro.backbones import build_model
from reid_repro.bench import amx_kind, modes, peer_ratios, save_bench, speed_rows

N_ID, BATCH, TARGET, PEER = 751, 32, 0.9, "ResNet-50 (plain)"
NETS = {   # label -> (registered model, options)
    PEER: ("resnet50", {}),
    "SAMBN (SA at 3, 4 classifiers, SN)": ("sambn", {}),
    "+ SA at 3 only": ("sambn", {"branches": 1, "spectral": False}),
    "+ 4 classifiers only": ("sambn", {"sa_stage": 0, "spectral": False}),
    "+ SN only": ("sambn", {"sa_stage": 0, "branches": 1}),
    "SAMBN, SA at 1": ("sambn", {"sa_stage": 1})}
MEMORY_PROBE = """
import json, re, sys, torch
from reid_repro.backbones import build_model
from reid_repro.bench import train_step
from reid_repro.sambn import SelfAttention
name, kw, hw, batch, n_id, explicit = json.loads(sys.argv[1])
if explicit:   # hold the N x N map: the explicit softmax path of the attention, as for the figures
    forward = SelfAttention.forward
    SelfAttention.forward = lambda self, x, weights=False: forward(self, x, weights=True)[0]
torch.manual_seed(0)
step = train_step(build_model(name, n_id, **kw), batch, tuple(hw), n_id)
kb = lambda field: int(re.search(rf"{field}:\\s+(\\d+) kB", open("/proc/self/status").read())[1])
open("/proc/self/clear_refs", "w").write("5")    # reset the peak (VmHWM) to the current resident size
before = kb("VmRSS")
for _ in range(2): step()
print(json.dumps({"peak_growth_mb": (kb("VmHWM") - before) / 1024}))
"""


def peak_memory(name: str, kw: dict, hw: tuple, explicit: bool = False) -> float:
    "Growth of peak resident memory (MB) over two fp32 eager training steps, in a fresh process."
    r = subprocess.run([sys.executable, "-c", MEMORY_PROBE, json.dumps([name, kw, hw, BATCH, N_ID, explicit])],
                       capture_output=True, text=True, check=True)
    return round(json.loads(r.stdout.strip().splitlines()[-1])["peak_growth_mb"], 1)


def memory(hw: tuple) -> dict:
    "`peak_memory` of every network, and of the attention after stage 1 with its maps held."
    out = {label: peak_memory(name, kw, hw) for label, (name, kw) in NETS.items()}
    out["SAMBN, SA at 1, attention map held"] = peak_memory("sambn", NETS["SAMBN, SA at 1"][1], hw, explicit=True)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 rounds at 64x32: a smoke test")
    ap.add_argument("--compile", action="store_true", help="also time fp32 under torch.compile")
    ap.add_argument("--memory-only", action="store_true", help="only the memory probes (minutes, not a quarter of an hour)")
    ap.add_argument("--hw", type=int, nargs=2, default=[256, 128], metavar=("H", "W"))
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    hw = (64, 32) if a.quick else tuple(a.hw)
    rounds, warmup = (2, 1) if a.quick else (5, 2)
    if a.memory_only:
        print("->", save_bench({"batch": BATCH, "input": list(hw), "amx": amx_kind() == "amx", "peak_memory_growth_mb": memory(hw)},
                               "bench_sambn_memory", a.out, suffix="_quick" if a.quick else ""))
        return
    timed = modes("fp32 eager", "fp32 channels_last", "bf16 eager", *(("fp32 compiled",) if a.compile else ()))
    nets = {label: (partial(build_model, name, N_ID, **kw), timed) for label, (name, kw) in NETS.items()}
    out = {"batch": BATCH, "input": list(hw), "steps": rounds, "amx": amx_kind() == "amx", "compiled_modes": a.compile,
           **speed_rows(nets, hw=hw, batch=BATCH, num_classes=N_ID, repeats=rounds, warmup=warmup)}
    out["vs_plain_resnet50"] = peer_ratios(out, [k for k in NETS if k != PEER], peer=PEER)
    full = out["vs_plain_resnet50"].get("SAMBN (SA at 3, 4 classifiers, SN)")
    out["target_met"] = bool(full and full["best_vs_best"] >= TARGET)
    out["peak_memory_growth_mb"] = memory(hw)
    print({k: v["best_vs_best"] for k, v in out["vs_plain_resnet50"].items()}, "target met:", out["target_met"])
    print("peak memory growth (MB):", out["peak_memory_growth_mb"])
    print("->", save_bench(out, "bench_sambn", a.out, suffix="_quick" if a.quick else ""))


if __name__ == "__main__":
    main()
