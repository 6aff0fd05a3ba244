"""Which attention kernel trains faster on this CPU: torch's fused `scaled_dot_product_attention` or the explicit
softmax(s q k^T) v, in fp32 and in bf16, forward and backward, at the shapes DM-OSNet's stream has in conv2 at 256x128
(batch 32, 2 heads of 32 channels): layer 1, 64-token windows (32 per image); layer 2, 2,048 queries over 32 pooled
keys. `reid_repro.attention.attend` runs the explicit product in low precision on a CPU because of this measurement
(AMD EPYC, AVX512-BF16 without AMX); run it on an AMX machine before trusting that rule there.
Every (shape, dtype, kernel) is timed in the same rounds, round-robin (`reid_repro.bench.time_modes`): milliseconds per
forward + backward, median with min and max.
Run: .venv/bin/python benchmarks/bench_attention_kernels.py [--quick] [--out PATH]
Writes benchmarks/results/bench_attention_kernels_<amx|no-amx>.json by default. Needs the machine to itself.
"""
import argparse

import torch
import torch.nn.functional as F

from reid_repro.bench import save_bench, time_modes

BATCH, HEADS, D = 32, 2, 32
SHAPES = {"layer 1 (64-token windows)": ((BATCH * 32, HEADS, 64, D), (BATCH * 32, HEADS, 64, D)),
          "layer 2 (2,048 queries, 32 keys)": ((BATCH, HEADS, 2048, D), (BATCH, HEADS, 32, D))}
KERNELS = {"fused": lambda q, k, v: F.scaled_dot_product_attention(q, k, v),
           "explicit": lambda q, k, v: torch.softmax(q @ k.transpose(-1, -2) * q.shape[-1] ** -0.5, -1) @ v}


def step(kernel, q_shape, k_shape, dtype):
    "One forward and backward of `kernel` on fixed random inputs of the given shapes and dtype."
    q, k, v = (torch.randn(s, dtype=dtype, requires_grad=True) for s in (q_shape, k_shape, k_shape))
    return lambda: kernel(q, k, v).float().sum().backward()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 rounds on 1/16 of the batch: a smoke test whose timings mean nothing")
    ap.add_argument("--out", default=None, help="the result file (default: benchmarks/results/bench_attention_kernels_<amx|no-amx>.json)")
    a = ap.parse_args(argv)
    torch.manual_seed(0)
    shrink = lambda s: (max(1, s[0] // 16), *s[1:]) if a.quick else s
    out = {"batch": BATCH, "heads": HEADS, "head_dim": D, "ms": {}, "explicit_vs_fused": {}}
    for shape, (qs, ks) in SHAPES.items():
        for dtype, dname in ((torch.float32, "fp32"), (torch.bfloat16, "bf16")):
            res = time_modes({k: step(f, shrink(qs), shrink(ks), dtype) for k, f in KERNELS.items()},
                             repeats=2 if a.quick else 10, warmup=1)
            ms = {k: {"median": round(1e3 / r["img_per_s"], 1), "min": round(1e3 / r["img_per_s_max"], 1),
                      "max": round(1e3 / r["img_per_s_min"], 1)} for k, r in res.items()}
            out["ms"][f"{shape}, {dname}"] = ms
            out["explicit_vs_fused"][f"{shape}, {dname}"] = round(ms["fused"]["median"] / ms["explicit"]["median"], 2)
            print(shape, dname, ms, flush=True)
    print("explicit speed-up over fused:", out["explicit_vs_fused"])
    print("->", save_bench(out, "bench_attention_kernels", a.out, suffix="_quick" if a.quick else ""))


if __name__ == "__main__":
    main()
