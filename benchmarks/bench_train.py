"""Training throughput by precision and compilation: fp32, bf16 + channels_last, and what `precision="auto"` picks.

For each model (the ResNet-18 baseline, and MobileNetV2, whose depthwise convolutions behave differently under bf16)
the same loader, batch, input size and seed are trained for a few short epochs with the project's `Trainer` in
each mode; the rate is img/s of the last epoch (the first warms the kernels up). `auto` is a fresh run that times
both modes on its own first batches and keeps the faster: the target is auto within 5% of the faster fixed mode.
The modes run interleaved `--repeats` times (`reid_repro.bench.interleave`) and each keeps its best run, since a
2-core VM's rate drifts by tens of percent between runs (all runs are in the result file).
Then eager vs `torch.compile` (MobileNetV2 at 160x64, batch 32, in the faster precision): the first compiled epoch
carries the compilation; later epochs give the rate. `--accuracy E` adds ResNet-18 trained E epochs on a small synthetic
set (60 ids, 64x32; from scratch a CUHK01 run needs far longer to leave chance), eager and compiled, seeds 0 and 1:
the same metrics within seed noise?

A CPU without AMX can be imitated on one with it: `ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16` (the bf16 and fp32 matmul
peaks are measured first, with `reid_repro.bench.matmul_gflops`, to show whether the cap bites). Uses CUHK01
(485/486, split 0) when data/cuhk01 exists, else the synthetic set.
Run: .venv/bin/python benchmarks/bench_train.py [--batches 12] [--accuracy 8] [--out PATH]
Writes benchmarks/results/bench_train_<amx|no-amx>.json (or --out). Needs the machine to itself.
"""
import argparse
import json
import tempfile
import time
from functools import partial
from pathlib import Path

import torch
import torchvision

from reid_repro.bench import bench_path, interleave, matmul_gflops, save_bench
from reid_repro.core import data_root, machine_kind
from reid_repro.datasets import load_dataset
from reid_repro.backbones import BaselineReID
from reid_repro.loaders import reid_loaders
from reid_repro.evaluation import evaluate_embeddings
from reid_repro.losses import recipe_loss
from reid_repro.recipe import Recipe
from reid_repro.trainer import Schedule, Trainer, seed_everything

MODELS = {  # name -> (factory(num_classes), input size)
    "resnet18": (lambda n: BaselineReID(n, "resnet18"), (128, 64)),
    "mobilenet_v2": (lambda n: BaselineReID(n, trunk=torchvision.models.mobilenet_v2().features, dim=1280), (160, 64)),
}


def split_and_name():
    if (data_root() / "cuhk01").is_dir(): return load_dataset("cuhk01", num_test=486, split_id=0), "cuhk01 485/486 split 0"
    return load_dataset("synthetic"), "synthetic"


def run(model_name, split, precision, compile=False, epochs=3, batches=12, P=8, K=4, seed=0, evaluate=False):
    "Train `epochs` short epochs (`batches` each); img/s of the last epoch, the engine, and metrics if `evaluate`."
    factory, size = MODELS[model_name]
    seed_everything(seed)
    L = reid_loaders(split, size, P, K, seed=seed)
    if batches: L["train"].batch_sampler.num_batches = batches
    model = factory(L["num_classes"])
    opt = torch.optim.Adam(model.parameters(), lr=3.5e-4, weight_decay=5e-4)
    steps = epochs * len(L["train"])
    ev = (lambda m: evaluate_embeddings(m, L["query"], L["gallery"])) if evaluate else None
    tr = Trainer(model, L["train"], recipe_loss(Recipe().losses), opt, epochs, Schedule("multistep", steps, warmup_steps=len(L["train"])),
                 ev, eval_every=epochs, precision=precision, compile=compile, progress=False, seed=seed)
    t0 = time.perf_counter()
    tr.fit()
    out = {"img_per_s": round(tr.history[-1]["img_per_s"], 1), "first_epoch_s": round(tr.history[0]["epoch_s"], 1),
           "wall_s": round(time.perf_counter() - t0, 1), "engine": tr.engine}
    if evaluate: out.update({k: round(tr.history[-1][k], 4) for k in ("rank1", "mAP")})
    if evaluate:   # the cost of fp32 evaluation: seconds to extract and rank the whole query + gallery
        t0 = time.perf_counter(); evaluate_embeddings(tr.model, L["query"], L["gallery"]); out["eval_s"] = round(time.perf_counter() - t0, 1)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, default=12, help="batches per short epoch (default: %(default)s)")
    ap.add_argument("--repeats", type=int, default=2, help="interleaved repeats of each mode; the best counts (default: %(default)s)")
    ap.add_argument("--accuracy", type=int, default=0, metavar="E", help="also train E full epochs eager vs compiled, 2 seeds")
    ap.add_argument("--models", nargs="+", default=list(MODELS))
    ap.add_argument("--no-compile", action="store_true", help="skip eager vs compiled (keeps that part of an existing result file)")
    ap.add_argument("--out", default=None, help="result file (default: benchmarks/results/bench_train_<amx|no-amx>.json)")
    args = ap.parse_args(argv)
    out = {"benchmark": "bench_train", "machine_kind": machine_kind(),
           "matmul_gflops_2048": {d: round(matmul_gflops(d, 2048), 1) for d in ("fp32", "bf16")}}
    print(out, flush=True)
    split, data = split_and_name()
    out.update(dataset=data, batch=32, models={})
    for name in args.models:   # modes interleaved, `repeats` times; a mode's rate is its best run (the least disturbed)
        samples = interleave({mode: partial(run, name, split, mode, batches=args.batches) for mode in ("fp32", "bf16", "auto")},
                             args.repeats)
        r = {mode: max(runs, key=lambda x: x["img_per_s"]) | {"img_per_s_runs": [x["img_per_s"] for x in runs]}
             for mode, runs in samples.items()}
        best = max(("fp32", "bf16"), key=lambda k: r[k]["img_per_s"])
        r["faster_fixed"] = best
        r["auto_vs_faster"] = round(r["auto"]["img_per_s"] / r[best]["img_per_s"], 3)
        r["auto_picked"] = r["auto"]["engine"]["precision"]
        r["input"] = "x".join(map(str, MODELS[name][1]))
        out["models"][name] = r
        print(name, {k: (v["img_per_s"] if isinstance(v, dict) else v) for k, v in r.items()}, flush=True)
    path = Path(args.out) if args.out else bench_path("bench_train")
    if path.is_file():   # keep the parts this run does not measure
        kept = json.loads(path.read_text())
        out.update({k: kept[k] for k in ("compile", "accuracy") if k in kept and (k == "accuracy" or args.no_compile)})
    if "mobilenet_v2" in args.models and not args.no_compile:   # eager vs compiled, in the faster precision
        prec = out["models"]["mobilenet_v2"]["faster_fixed"]
        eager = run("mobilenet_v2", split, prec, compile=False, epochs=3, batches=args.batches)
        comp = run("mobilenet_v2", split, prec, compile=True, epochs=3, batches=args.batches)
        out["compile"] = {"model": "mobilenet_v2", "precision": prec, "eager": eager, "compiled": comp,
                          "speedup": round(comp["img_per_s"] / eager["img_per_s"], 2),
                          "compile_overhead_s": round(comp["first_epoch_s"] - eager["first_epoch_s"], 1)}
        print("compile", out["compile"], flush=True)
    if args.accuracy:   # compiled vs eager to convergence on a small problem: ResNet-18, synthetic set, 64x32
        small = load_dataset("synthetic", tempfile.mkdtemp(), num_ids=60, num_test_ids=20, seed=1, size=(64, 32), verbose=False)
        MODELS["resnet18_64x32"] = (MODELS["resnet18"][0], (64, 32))
        acc = {}
        for seed in (0, 1):
            for comp in (False, True):
                key = f"{'compiled' if comp else 'eager'}_seed{seed}"
                acc[key] = run("resnet18_64x32", small, "fp32", compile=comp, epochs=args.accuracy, batches=0, seed=seed,
                               evaluate=True)
                print(key, {k: v for k, v in acc[key].items() if k != "engine"}, flush=True)
        out["accuracy"] = {"model": "resnet18", "data": "synthetic, 60 ids (20 test), 64x32", "precision": "fp32",
                           "epochs": args.accuracy, "runs": acc}
    print("->", save_bench(out, "bench_train", path))


if __name__ == "__main__":
    main()
