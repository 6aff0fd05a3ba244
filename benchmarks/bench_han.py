"""HAN-S/M/L against torchreid's HA-CNN: training images/s at 160x64, batch 32, side by side in one run.

The peer is HA-CNN as shipped in the PyPI sdist of torchreid 0.2.5 (`torchreid/reid/models/hacnn.py`, fetched with
`pip download` into ~/.cache/reid_repro/ and imported from there; its hard-coded `.cuda()` is switched off by its own
`use_gpu=False`); the benchmark says so and skips the peer when the sdist cannot be had. One training step = forward
of a batch of 32 at 160x64, CE on both heads (751 identities), backward, SGD. HA-CNN runs fp32 as shipped; each HAN
runs fp32 and under bf16 autocast (channels_last), eager and `torch.compile`d, and its best is compared.
Target: HAN-L >= 1.5x HA-CNN's fp32 images/s (its MACs are 0.65x), S and M faster still.
Run: .venv/bin/python benchmarks/bench_han.py [--quick] [--no-compile] [--out PATH]
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
from reid_repro.train import autocast, count_flops

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


def train_rate(model, bf16: bool, compiled: bool, steps: int, warmup: int = 3) -> float:
    "Median training images/s over `steps` timed steps (after `warmup`), one step at a time."
    model = model.train().to(memory_format=torch.channels_last) if bf16 else model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    net = torch.compile(model) if compiled else model
    x, y = torch.randn(BATCH, 3, *HW), torch.randint(0, N_ID, (BATCH,))
    if bf16: x = x.contiguous(memory_format=torch.channels_last)
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        with autocast(torch.device("cpu"), bf16):
            loss = sum(F.cross_entropy(z.float(), y) for z in logits_of(net(x)))
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        if i >= warmup: times.append(time.perf_counter() - t0)
    return BATCH / statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 timed steps, no compilation: a smoke test")
    ap.add_argument("--no-compile", action="store_true", help="eager modes only (torch.compile costs about a minute per model)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    steps = 2 if a.quick else 10
    amx = "amx_tile" in Path("/proc/cpuinfo").read_text()
    out = {"batch": BATCH, "input": HW, "steps": steps, "amx": amx, "compiled_modes": not (a.quick or a.no_compile), "models": {}}
    HACNN = hacnn_class()
    if HACNN is not None:
        torch.manual_seed(0); peer = HACNN(N_ID, use_gpu=False)
        macs = count_flops(peer.eval(), torch.randn(1, 3, *HW))["macs"]
        out["models"]["HA-CNN (torchreid 0.2.5)"] = {"macs": macs, "fp32 eager": train_rate(peer, False, False, steps)}
        print("HA-CNN", out["models"]["HA-CNN (torchreid 0.2.5)"], flush=True)
    modes = [("fp32 eager", False, False), ("bf16 eager", True, False)] + ([] if a.quick or a.no_compile else [("fp32 compiled", False, True), ("bf16 compiled", True, True)])
    for size in "SML":
        torch.manual_seed(0)
        row = {"macs": count_flops(han(N_ID, size).eval(), torch.randn(1, 3, *HW))["macs"]}
        for mode, bf16, compiled in modes:
            torch.manual_seed(0); row[mode] = train_rate(han(N_ID, size), bf16, compiled, steps)
            print(f"HAN-{size}", mode, round(row[mode], 1), flush=True)
        row["best"] = max((row[m], m) for m, *_ in modes)
        out["models"][f"HAN-{size}"] = row
    peer_rate = out["models"].get("HA-CNN (torchreid 0.2.5)", {}).get("fp32 eager")
    if peer_rate:
        out["speedup_vs_hacnn_fp32"] = {k: round(v["best"][0] / peer_rate, 2) for k, v in out["models"].items() if k.startswith("HAN")}
        out["target_met"] = out["speedup_vs_hacnn_fp32"]["HAN-L"] >= TARGET
        print("speed-up over HA-CNN fp32:", out["speedup_vs_hacnn_fp32"], "target met:", out["target_met"])
    out.update(provenance("benchmarks/bench_han.py" + (" --quick" if a.quick else "")))
    default = Path(__file__).parent / "results" / f"bench_han_{'amx' if amx else 'no-amx'}{'_quick' if a.quick else ''}.json"
    print("->", save_json(out, a.out or default))


if __name__ == "__main__":
    main()
