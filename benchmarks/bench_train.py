"""Training throughput and accuracy of the baseline: fp32 eager vs bf16 autocast + channels_last.

Same data, batch, input size, seed and number of steps for both; reports training img/s (median over epochs, after
the first) and rank-1/mAP after training. Uses CUHK01 (485/486, split 0) when data/cuhk01 exists, else the
synthetic set. Run: .venv/bin/python benchmarks/bench_train.py [--epochs 10] [--size 128 64]
Writes benchmarks/results/bench_train_<H>x<W>.json. Needs the machine to itself: other jobs on the cores skew the timings.
"""
import argparse
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from reid_repro.core import data_root, provenance, save_json
from reid_repro.train import BaselineConfig, train_baseline


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--size", type=int, nargs=2, default=(128, 64))
    ap.add_argument("--model", default="resnet18")
    args = ap.parse_args()
    dataset, kw = ("cuhk01", {"num_test": 486}) if (data_root() / "cuhk01").is_dir() else ("synthetic", {})
    runs = {}
    for label, amp, cl in [("fp32_eager", False, False), ("bf16_channels_last", True, True)]:
        cfg = BaselineConfig(dataset, kw, args.model, size=tuple(args.size), epochs=args.epochs, warmup_epochs=1,
                             eval_every=args.epochs, amp=amp, channels_last=cl)
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            tr = train_baseline(cfg, d, topic=None, progress=False)
            wall = time.perf_counter() - t0
        ips = sorted(h["img_per_s"] for h in tr.history[1:]) or [tr.history[0]["img_per_s"]]
        runs[label] = {"train_img_per_s": round(ips[len(ips) // 2], 1), "steps": tr.step, "wall_s": round(wall, 1),
                       **{k: round(tr.history[-1][k], 4) for k in ("rank1", "mAP")}}
        print(label, runs[label], flush=True)
    speedup = runs["bf16_channels_last"]["train_img_per_s"] / runs["fp32_eager"]["train_img_per_s"]
    out = {"benchmark": "bench_train", "dataset": dataset, "config": asdict(cfg) | {"amp": "varies"}, "runs": runs,
           "speedup": round(speedup, 2), **provenance("benchmarks/bench_train.py")}
    path = save_json(out, Path(__file__).parent / "results" / f"bench_train_{args.size[0]}x{args.size[1]}.json")
    print(f"speedup bf16+channels_last / fp32: {speedup:.2f}x -> {path}")


if __name__ == "__main__":
    main()
