"""HAN-S/M/L against torchreid's HA-CNN: training images/s at 160x64, batch 32, side by side in one run.

The peer is HA-CNN as shipped in the PyPI sdist of torchreid 0.2.5 (`torchreid/reid/models/hacnn.py`, fetched with
`pip download` into ~/.cache/reid_repro/ and imported from there; its hard-coded `.cuda()` is switched off by its own
`use_gpu=False`); the benchmark says so and skips the peer when the sdist cannot be had. One training step = forward
of a batch of 32 at 160x64, CE on both heads (751 identities), backward, SGD. HA-CNN runs fp32 as shipped; each HAN
runs fp32 (contiguous and channels_last) and under bf16 autocast (channels_last), eager and `torch.compile`d, and
its best is compared. --profile adds the ops that take HAN-L's and HA-CNN's fp32 eager step, by self CPU time.
Target: HAN-L >= 1.5x HA-CNN's fp32 images/s (its MACs are 0.65x), S and M faster still.
Run: .venv/bin/python benchmarks/bench_han.py [--quick] [--no-compile] [--profile] [--sizes SML] [--out PATH]
Writes benchmarks/results/bench_han_<amx|no-amx>.json by default. --quick times 2 steps (a smoke test; its timings
mean nothing). Needs the machine to itself: other jobs on the cores skew the timings.
"""
import argparse
import importlib.util
import statistics
import subprocess
import sys
import tarfile
import time
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F

from reid_repro.core import provenance, save_json
from reid_repro.han import han
from reid_repro.evaluation import count_flops
from reid_repro.trainer import autocast

SDIST = "torchreid==0.2.5"
HACNN_FILE = "torchreid-0.2.5/torchreid/reid/models/hacnn.py"
CACHE = Path.home() / ".cache" / "reid_repro" / "torchreid-0.2.5"
N_ID, BATCH, HW, TARGET = 751, 32, (160, 64), 1.5


def hacnn_class():
    "torchreid 0.2.5's HACNN class from its sdist (downloaded once), or None with the reason printed."
    src = CACHE / "hacnn.py"
    if not src.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        r = subprocess.run([sys.executable, "-m", "pip", "download", SDIST, "--no-deps", "--no-binary", ":all:", "-d", str(CACHE)],
                           capture_output=True, text=True)
        tars = sorted(CACHE.glob("torchreid-0.2.5*.tar.gz"))
        if r.returncode or not tars:
            print(f"skipping the peer: `pip download {SDIST}` failed ({r.stderr.strip().splitlines()[-1:]})"); return None
        with tarfile.open(tars[0]) as t: src.write_bytes(t.extractfile(HACNN_FILE).read())
    warnings.filterwarnings("ignore", message=".*upsample.*deprecated")   # its F.upsample calls, as shipped
    spec = importlib.util.spec_from_file_location("torchreid_hacnn", src)
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod.HACNN


def logits_of(out):
    "The classifier outputs of a training forward: HAN's dict or HA-CNN's (global, local) tuple."
    return out["logits"] if isinstance(out, dict) else list(out)


def training_step(model, bf16: bool, channels_last: bool, compiled: bool):
    "A function doing one SGD step on a fixed random batch: CE on every head, under bf16 autocast or not."
    model = model.train().to(memory_format=torch.channels_last) if channels_last else model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    net = torch.compile(model) if compiled else model
    x, y = torch.randn(BATCH, 3, *HW), torch.randint(0, N_ID, (BATCH,))
    if channels_last: x = x.contiguous(memory_format=torch.channels_last)
    def step():
        with autocast(torch.device("cpu"), bf16):
            loss = sum(F.cross_entropy(z.float(), y) for z in logits_of(net(x)))
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return step


def train_rate(model, bf16: bool, channels_last: bool, compiled: bool, steps: int, warmup: int = 3) -> float:
    "Median training images/s over `steps` timed steps (after `warmup`), one step at a time."
    step, times = training_step(model, bf16, channels_last, compiled), []
    for i in range(warmup + steps):
        t0 = time.perf_counter(); step()
        if i >= warmup: times.append(time.perf_counter() - t0)
    return BATCH / statistics.median(times)


def is_depthwise(event) -> bool:
    "A convolution op whose weight is (C, 1, k, k) with C > 1: a depthwise convolution."
    return any(len(s) == 4 and s[0] > 1 and s[1] == 1 and s[2] == s[3] > 1 for s in event.input_shapes)


def profile_ops(model, steps: int = 3, top: int = 12) -> dict:
    """Self CPU time of the `top` ops over `steps` fp32 eager training steps (after one warm-up), per step and as a
    share, and the shares of all convolution time (forward and backward) spent in depthwise and in other convolutions."""
    step = training_step(model, False, False, False)
    step()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], record_shapes=True) as prof:
        for _ in range(steps): step()
    events = prof.key_averages()
    total = sum(e.self_cpu_time_total for e in events)
    convs = [e for e in prof.key_averages(group_by_input_shape=True) if "convolution" in e.key]
    dw = sum(e.self_cpu_time_total for e in convs if is_depthwise(e))
    conv = sum(e.self_cpu_time_total for e in convs)
    return {"ops": [{"op": e.key, "self_ms_per_step": round(e.self_cpu_time_total / 1e3 / steps, 1),
                     "share": round(e.self_cpu_time_total / total, 3), "calls_per_step": e.count // steps}
                    for e in sorted(events, key=lambda e: -e.self_cpu_time_total)[:top]],
            "share_depthwise_conv": round(dw / total, 3), "share_other_conv": round((conv - dw) / total, 3)}


PEER = "HA-CNN (torchreid 0.2.5)"


def peer_row(steps: int):
    "(HACNN class, its row: MACs and fp32 eager training img/s), or (None, None) when its sdist cannot be had."
    HACNN = hacnn_class()
    if HACNN is None: return None, None
    torch.manual_seed(0); peer = HACNN(N_ID, use_gpu=False)
    row = {"macs": count_flops(peer.eval(), torch.randn(1, 3, *HW))["macs"], "fp32 eager": train_rate(peer, False, False, False, steps)}
    print("HA-CNN", row, flush=True)
    return HACNN, row


def timing_modes(compiled: bool) -> list[tuple]:
    "(mode name, bf16, channels_last, compiled) of every mode a model is timed in; compiled ones only if `compiled`."
    modes = [("fp32 eager", False, False, False), ("fp32 channels_last", False, True, False), ("bf16 eager", True, True, False)]
    return modes + ([("fp32 compiled", False, False, True), ("bf16 compiled", True, True, True)] if compiled else [])


def model_row(build, label: str, modes: list[tuple], steps: int) -> dict:
    "MACs of `build()` and its training img/s in each mode (a failing mode recorded as text), and its best mode."
    torch.manual_seed(0)
    row = {"macs": count_flops(build().eval(), torch.randn(1, 3, *HW))["macs"]}
    for mode, *flags in modes:
        torch.manual_seed(0)
        try: row[mode] = train_rate(build(), *flags, steps)
        except Exception as e:   # e.g. an Inductor failure: recorded, and the mode left out of "best"
            row[mode] = f"failed: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"
        print(label, mode, row[mode] if isinstance(row[mode], str) else round(row[mode], 1), flush=True)
    row["best"] = max((row[m], m) for m, *_ in modes if isinstance(row[m], float))
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 timed steps, no compilation: a smoke test")
    ap.add_argument("--no-compile", action="store_true", help="eager modes only (torch.compile costs about a minute per model)")
    ap.add_argument("--sizes", default="SML", help="which HANs to time (default: SML)")
    ap.add_argument("--profile", action="store_true", help="also profile HAN-L's and HA-CNN's fp32 eager step by op")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    steps = 2 if a.quick else 10
    amx = "amx_tile" in Path("/proc/cpuinfo").read_text()
    out = {"batch": BATCH, "input": HW, "steps": steps, "amx": amx, "compiled_modes": not (a.quick or a.no_compile), "models": {}}
    HACNN, peer = peer_row(steps)
    if peer: out["models"][PEER] = peer
    modes = timing_modes(not (a.quick or a.no_compile))
    for size in a.sizes:
        out["models"][f"HAN-{size}"] = model_row(lambda: han(N_ID, size), f"HAN-{size}", modes, steps)
    if a.profile:
        torch.manual_seed(0); out["profile_fp32_eager"] = {"HAN-L": profile_ops(han(N_ID, "L"), steps=2 if a.quick else 3)}
        if HACNN is not None: out["profile_fp32_eager"]["HA-CNN"] = profile_ops(HACNN(N_ID, use_gpu=False), steps=2 if a.quick else 3)
        for k, p in out["profile_fp32_eager"].items():
            print(k, "depthwise conv", p["share_depthwise_conv"], "other conv", p["share_other_conv"], [(o["op"], o["share"]) for o in p["ops"][:5]], flush=True)
    peer_rate = out["models"].get(PEER, {}).get("fp32 eager")
    if peer_rate:
        out["speedup_vs_hacnn_fp32"] = {k: round(v["best"][0] / peer_rate, 2) for k, v in out["models"].items() if k.startswith("HAN")}
        out["target_met"] = out["speedup_vs_hacnn_fp32"].get("HAN-L", 0) >= TARGET
        print("speed-up over HA-CNN fp32:", out["speedup_vs_hacnn_fp32"], "target met:", out["target_met"])
    out.update(provenance("benchmarks/bench_han.py " + " ".join(argv if argv is not None else sys.argv[1:])))
    default = Path(__file__).parent / "results" / f"bench_han_{'amx' if amx else 'no-amx'}{'_quick' if a.quick else ''}.json"
    print("->", save_json(out, a.out or default))


if __name__ == "__main__":
    main()
