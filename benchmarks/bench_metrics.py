"""Benchmark of reid_repro.metrics on a Market-1501-sized problem (a script, not a test).

3,368 queries x 15,913 gallery images, 512-d random features (751 identities, 6 cameras, seeded), 5% of the
gallery marked junk (pid -1). Times the distance matrix (`pairwise_distance`) and the evaluation (`evaluate_rank`,
CMC + mAP + mINP) separately, and measures memory two ways: the peak of numpy's allocations during the evaluation
(tracemalloc, in a second, traced run so that tracing does not slow the timed one) and the process's peak
resident set size (which includes torch's allocations and the distance matrix).

    .venv/bin/python benchmarks/bench_metrics.py [--out PATH]

Prints one JSON line and writes it, with the run's provenance, to benchmarks/results/bench_metrics.json (or PATH).
"""
from __future__ import annotations

import argparse
import json
import resource
import time
import tracemalloc

import numpy as np
import torch

from reid_repro.bench import save_bench
from reid_repro.metrics import evaluate_rank, pairwise_distance

NUM_QUERY, NUM_GALLERY, DIM, NUM_IDS, NUM_CAMS, JUNK, SEED = 3368, 15913, 512, 751, 6, 0.05, 0


def make_problem(seed: int = SEED):
    "Features = a random centre per identity + noise (the work does not depend on the scores; rank-1 comes out ~1.0)."
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    q_pids, g_pids = rng.integers(0, NUM_IDS, NUM_QUERY), rng.integers(0, NUM_IDS, NUM_GALLERY)
    q_camids, g_camids = rng.integers(0, NUM_CAMS, NUM_QUERY), rng.integers(0, NUM_CAMS, NUM_GALLERY)
    centres = torch.randn(NUM_IDS, DIM, generator=gen)
    qf = centres[q_pids] + 1.5 * torch.randn(NUM_QUERY, DIM, generator=gen)
    gf = centres[g_pids] + 1.5 * torch.randn(NUM_GALLERY, DIM, generator=gen)
    g_pids[rng.random(NUM_GALLERY) < JUNK] = -1
    return qf, gf, q_pids, g_pids, q_camids, g_camids


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None, help="result file (default: benchmarks/results/bench_metrics.json)")
    a = ap.parse_args(argv)
    qf, gf, q_pids, g_pids, q_camids, g_camids = make_problem()

    t0 = time.perf_counter()
    distmat = pairwise_distance(qf, gf)
    distance_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    res = evaluate_rank(distmat, q_pids, g_pids, q_camids, g_camids, max_rank=50)
    evaluate_s = time.perf_counter() - t0

    tracemalloc.start()
    t0 = time.perf_counter()
    evaluate_rank(distmat, q_pids, g_pids, q_camids, g_camids, max_rank=50)
    traced_s = time.perf_counter() - t0
    peak_traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    out = {"benchmark": "bench_metrics",
           "problem": {"num_query": NUM_QUERY, "num_gallery": NUM_GALLERY, "dim": DIM, "num_ids": NUM_IDS,
                       "num_cams": NUM_CAMS, "junk_fraction": JUNK, "seed": SEED, "metric": "euclidean"},
           "distance_s": round(distance_s, 3), "evaluate_s": round(evaluate_s, 3),
           "evaluate_traced_s": round(traced_s, 3),
           "evaluate_peak_numpy_mb": round(peak_traced / 2**20, 1),
           "distmat_mb": round(distmat.numel() * distmat.element_size() / 2**20, 1),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10, 1),
           "rank1": round(float(res["cmc"][0]), 4), "mAP": round(res["mAP"], 4), "mINP": round(res["mINP"], 4),
           "num_valid": res["num_valid"], "num_skipped": res["num_skipped"]}
    print(json.dumps(out))
    print("->", save_bench(out, "bench_metrics", a.out, by_kind=False))
    return out


if __name__ == "__main__":
    main()
