"""Tests that bite: break one key line of a notebook's exported code in a scratch copy, run the notebook's tests
(`nbdev.test.test_nb`, slow cells skipped), and report whether they fail and with which error.
Run: .venv/bin/python tools/mutations.py 04_han [--no-baseline] [substring of a mutation name ...]
Writes tests/mutations_<notebook>.json (one row per mutation; a run of some mutations replaces only their rows) and
prints a Markdown table. One notebook test run per mutation; `--no-baseline` skips the unmutated run that checks the
notebook passes first (only right after `nbdev_test` passed on it).
"""
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTATIONS = {   # notebook -> (what the mutation breaks, exact text in one exported cell, its replacement)
    "04_han": [
        ("Eq. 4 spatial input: channel mean -> channel max", "self.spatial_conv(x.mean(1, keepdim=True))", "self.spatial_conv(x.amax(1, keepdim=True))"),
        ("Eq. 5 channel input: average -> max pooling", "C = self.channel(g)", "C = self.channel(x.amax((2, 3), keepdim=True))"),
        ("Eq. 3 ReLU before the sigmoid dropped", "A = torch.sigmoid(self.fuse(SC", "A = torch.sigmoid(self.fuse[0](SC"),
        ("Eq. 3 S x C -> S + C", "SC = (S if self.use_ssa else 1) * (C if self.use_sca else 1)", "SC = (S if self.use_ssa else 0) + (C if self.use_sca else 0)"),
        ("Eq. 7 theta rows in the paper's order (s_h first)", "theta[:, 0, 0], theta[:, 1, 1] = s_w, s_h", "theta[:, 0, 0], theta[:, 1, 1] = s_h, s_w"),
        ("Eq. 7 t_x and t_y swapped", "theta[:, :, 2] = t.reshape(N * T, 2).to(x.dtype)", "theta[:, :, 2] = t.reshape(N * T, 2).flip(-1).to(x.dtype)"),
        ("hard attention initialised without atanh", "torch.atanh(stripe_offsets(T, s_h))", "stripe_offsets(T, s_h)"),
        ("regions cropped at half the translation", "R = crop_regions(G, t, size", "R = crop_regions(G, t * 0.5, size"),
        ("Eq. 8 CAIL's + L dropped", "R = R + L if (l > 0 and cfg.cail)", "R = R if (l > 0 and cfg.cail)"),
        ("HRA flag ignored", "if self.use_hra else self.hard.bias.expand", "if True else self.hard.bias.expand"),
        ("test feature not L2-normalised per branch", "torch.cat([F.normalize(p, dim=1) for p in parts], 1)", "torch.cat(parts, 1)"),
        ("Table 1: Large with Medium's strides", '"L": (1, 1, 2)}', '"L": (1, 2, 1)}'),
        ("Inception-B pool stream at d/4 instead of d/2", "cbr(cin, 2 * m)))", "cbr(cin, m)))"),
        ("bottleneck without its shortcut", "return F.relu(self.body(x) + self.shortcut(x))", "return F.relu(self.body(x))"),
        ("Fig. 7 box drawn from its centre, not its corner", "(tx + 1) * W / 2 - s_w * W / 2", "(tx + 1) * W / 2"),
        ("feature rows: local read as global", 'for feat, m in stored.items() if feat != "both"', 'for feat, m in [("global", stored.get("local")), ("local", stored.get("local"))] if m'),
    ],
    "01a_experiments": [
        ("paired gap: s.e. not divided by sqrt(n)", "se = np.std(d, ddof=1) / np.sqrt(len(d)) if len(d) > 1 else np.nan", "se = np.std(d, ddof=1) if len(d) > 1 else np.nan"),
        ("readings of the same runs compared as independent", "if base[a.row] == base[a.contrast] and len(shared) > 1:", "if False:"),
        ("paired readings matched across different seeds", "[theirs[k] for k in shared], p_delta)", "[theirs[k] for k in reversed(shared)], p_delta)"),
        ("seed verdict: s.e. from one group's size", "se = sd * np.sqrt(1 / len(ours) + 1 / len(contrast))", "se = sd * np.sqrt(1 / len(ours))"),
    ],
    "05_robust": [
        ("Eq. 6 GeM without its exponent (average pooling)", ".pow(self.p).mean((2, 3)).pow(1.0 / self.p)", ".mean((2, 3))"),
        ("stride-1 Shuffle-B with one depthwise conv left at stride 2", "for conv in (unit.branch1[0], unit.branch2[3]): conv.stride", "for conv in (unit.branch1[0],): conv.stride"),
        ("regions cropped from the stage's output, not its input", "R = crop_regions(G, t, size, cfg.s_w, cfg.s_h)", "R = crop_regions(X, t, size, cfg.s_w, cfg.s_h)"),
        ("previous level's local output not added", "L = local(R if L is None else R + L)", "L = local(R)"),
        ("features not L2-normalised in training", "feats = [n_g, n_l] if cfg.l2_train else [f_g, f_l]", "feats = [f_g, f_l]"),
        ("classifier input flag ignored (raw run's classifier fed f/|f|)", 'cls_in = [f_g, f_l] if cfg.l2_cls_input == "raw" else feats', "cls_in = feats"),
        ("hard attention initialised with atanh by default", "ty.atanh() if cfg.hard_init_atanh else ty", "ty.atanh()"),
        ("SWAG variance without the squared mean", "(sq - m ** 2).clamp_min(0.0)", "sq"),
        ("SWAG draws at full variance (scale 1)", "(scale * v).sqrt()", "v.sqrt()"),
        ("SWAG features summed, not renormalised", "torch.cat([F.normalize(f[:, :d], dim=1), F.normalize(f[:, d:], dim=1)], 1)", "f"),
        ("Eq. 1 without the step at epoch 150", "milestones=(150 / 350, 225 / 350)", "milestones=(225 / 350,)"),
        ("post-training cycles without the 0.7 decay", "cycle_decay=decay,", "cycle_decay=1.0,"),
        ("HA-CNN column keeps the bias-free classifier", '"cls_bias": not f["bot"]', '"cls_bias": False'),
        ("Fig. 6 SWAG moments from saved samples: unbiased variance", "[w.var(0, unbiased=False) for w in stacks]", "[w.var(0) for w in stacks]"),
        ("Table 2 order steps read the wrong way round", "v = seed_verdict(seeds[hi], seeds[lo], paper, sd)", "v = seed_verdict(seeds[lo], seeds[hi], paper, sd)"),
    ],
}


def run_tests(nb: Path) -> tuple[bool, str]:
    "Run the notebook's tests with `nbdev_test` (slow cells skipped): (passed, the last error line it printed)."
    r = subprocess.run([str(Path(sys.executable).parent / "nbdev_test"), "--path", str(nb)], capture_output=True, text=True,
                       cwd=ROOT)
    err = re.findall(r"^\w*(?:Error|Exception)\b[^\n]*", r.stdout + r.stderr, re.M)
    return r.returncode == 0, (err[-1][:160] if err else "")


def main(argv):
    name, only = argv[0], [a for a in argv[1:] if a != "--no-baseline"]
    nb_path = ROOT / "nbs" / f"{name}.ipynb"
    if "--no-baseline" not in argv:
        passed, err = run_tests(nb_path)
        if not passed: raise SystemExit(f"{name} fails its tests unmutated ({err}): fix that first")
    rows = []
    for what, old, new in MUTATIONS[name]:
        if only and not any(o in what for o in only): continue
        nb = json.loads(nb_path.read_text())
        cells = [c for c in nb["cells"] if c["cell_type"] == "code" and old in "".join(c["source"])]
        if len(cells) != 1: raise SystemExit(f"{what}: the text to break occurs in {len(cells)} cells, not 1: update MUTATIONS")
        cells[0]["source"] = "".join(cells[0]["source"]).replace(old, new)
        scratch = nb_path.parent / f"_mutant_{name}.ipynb"
        scratch.write_text(json.dumps(nb))
        try: passed, err = run_tests(scratch)
        finally: scratch.unlink()
        rows.append({"mutation": what, "caught": not passed, "error": err})
        print(f"{'caught' if not passed else 'MISSED'}: {what} | {err}", flush=True)
    out = ROOT / "tests" / f"mutations_{name}.json"
    if only and out.is_file():   # keep the rows of the mutations not run this time, in MUTATIONS order
        new = {r["mutation"]: r for r in rows}
        old = {r["mutation"]: r for r in json.loads(out.read_text())}
        rows = [new.get(w) or old[w] for w, _, _ in MUTATIONS[name] if w in new or w in old]
    out.write_text(json.dumps(rows, indent=1) + "\n")
    print("\n| mutation | caught | first error |\n|-|-|-|")
    for r in rows: print(f"| {r['mutation']} | {'yes' if r['caught'] else '**no**'} | {r['error']} |")


if __name__ == "__main__":
    main(sys.argv[1:])
