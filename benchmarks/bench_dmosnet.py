"""OSNet x1.0 and DM-OSNet against torchreid's OSNet x1.0: training images/s at 256x128, batch 32, in one run.

The peer is `osnet_x1_0` as shipped in the PyPI sdist of torchreid 0.2.5 (`reid_repro.bench.torchreid_model_module`:
fetched once with `pip download`; skipped with a message when it cannot be had), with its own fc (512) and classifier
(its osnet.py has no `.cuda()` call to switch off, and `pretrained=False` leaves its gdown download unused).
Ours: OSNet x1.0 (`build_model("osnet_x1_0")`: the same trunk, FastReID's BNNeck head) and DM-OSNet (`dmosnet`, the
attention stream in conv2). One training step = forward of a batch of 32, CE on the classifier (751 identities),
backward, SGD. Every network runs in the same modes: fp32 (contiguous and channels_last) and bf16 autocast
(channels_last), eager and, unless --no-compile, `torch.compile`d; every (network, mode) pair is timed in the same
rounds, round-robin (`reid_repro.bench.time_models`): medians with their min and max.
--profile adds the ops that take each network's fp32 eager step, by self CPU time.
Targets: our OSNet >= 1.5x the peer's fp32 eager img/s (our fastest mode; the peer's fastest is reported beside it);
DM-OSNet >= 0.85x our OSNet, fastest against fastest.
Run: .venv/bin/python benchmarks/bench_dmosnet.py [--quick] [--no-compile] [--profile] [--out PATH]
Writes benchmarks/results/bench_dmosnet_<amx|no-amx>.json by default. --quick: 2 rounds at 64x32, a smoke test whose
timings mean nothing. Needs the machine to itself.
"""
from functools import partial

import torch

from reid_repro.backbones import build_model
from reid_repro.bench import amx_kind, modes, peer_parser, peer_ratios, peer_rounds, profile_ops, save_bench, speed_rows, torchreid_model_module, train_step

N_ID, BATCH, PEER, OURS, DM = 751, 32, "OSNet x1.0 (torchreid 0.2.5)", "OSNet x1.0 (ours)", "DM-OSNet [1,0,0]"
TARGET_VS_PEER_FP32, TARGET_DM = 1.5, 0.85


def main(argv=None):
    ap = peer_parser(__doc__.splitlines()[0], "also profile each network's fp32 eager step by op")
    a = ap.parse_args(argv)
    steps, warmup, compiled = peer_rounds(a)
    hw = (64, 32) if a.quick else (256, 128)
    osnet = torchreid_model_module("osnet")
    timed = modes("fp32 eager", "fp32 channels_last", "bf16 eager", *(("fp32 compiled", "bf16 compiled") if compiled else ()))
    builders = {**({PEER: lambda: osnet.osnet_x1_0(num_classes=N_ID, pretrained=False)} if osnet else {}),
                OURS: partial(build_model, "osnet_x1_0", N_ID), DM: partial(build_model, "dmosnet", N_ID)}
    out = {"batch": BATCH, "input": list(hw), "steps": steps, "amx": amx_kind() == "amx", "compiled_modes": compiled,
           **speed_rows({k: (b, timed) for k, b in builders.items()}, hw=hw, batch=BATCH, num_classes=N_ID, repeats=steps, warmup=warmup)}
    if a.profile:
        out["profile_fp32_eager"] = {}
        for k, build in builders.items():
            torch.manual_seed(0)
            p = out["profile_fp32_eager"][k] = profile_ops(train_step(build(), BATCH, hw, N_ID), steps=2 if a.quick else 3)
            print(k, "depthwise conv", p["share_depthwise_conv"], "other conv", p["share_other_conv"],
                  [(o["op"], o["share"]) for o in p["ops"][:6]], flush=True)
    rows = out["models"]
    out["vs_torchreid_osnet"] = peer_ratios(out, [OURS, DM], peer=PEER)
    out["vs_our_osnet"] = peer_ratios(out, [DM], peer=OURS)
    if PEER in rows and rows[OURS]["best"] and isinstance(rows[PEER].get("fp32 eager"), float):
        out["ours_best_vs_peer_fp32"] = round(rows[OURS]["best"][0] / rows[PEER]["fp32 eager"], 2)
        out["target_vs_peer_met"] = out["ours_best_vs_peer_fp32"] >= TARGET_VS_PEER_FP32
    if DM in out["vs_our_osnet"]: out["target_dm_met"] = out["vs_our_osnet"][DM]["best_vs_best"] >= TARGET_DM
    print({k: v for k, v in out.items() if k.startswith(("ours_best", "target"))},
          {k: v["best_vs_best"] for k, v in {**out["vs_torchreid_osnet"], **out["vs_our_osnet"]}.items()})
    print("->", save_bench(out, "bench_dmosnet", a.out, suffix="_quick" if a.quick else ""))


if __name__ == "__main__":
    main()
