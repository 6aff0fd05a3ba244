"""Tests that bite: break one key line of a notebook's exported code in a scratch copy, run the notebook's tests
(`nbdev_test`, slow cells skipped), and record whether they fail and with which error.

Each notebook's mutations live beside it in `nbs/<notebook>.mutations.json`, definition and last outcome together:
a list of {"mutation": what it breaks, "target": exact text found once in one code cell, "replacement": what replaces it,
"caught": did the tests fail (null: never run), "error": the last error line they printed}.
`tests/test_mutations.py` fails when a target no longer matches or a mutation has no outcome.

Run: .venv/bin/python tools/mutations.py 04_han [--no-baseline] [substring of a mutation name ...]
     python3 tools/mutations.py [04_han [substring ...]] --check
A run writes each outcome back into the notebook's mutations file as it comes, then prints a Markdown table. One
notebook test run per mutation; `--no-baseline` skips the unmutated run that checks the notebook passes first (only
right after `nbdev_test` passed on it). `--check` runs no tests: it prints one line per target that is not found exactly
once in exactly one code cell (of every notebook with a mutations file, if none is named) and exits 1 if there is one.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"


def load(name: str) -> list[dict]: return json.loads((NBS / f"{name}.mutations.json").read_text())


def save(name: str, muts: list[dict]):
    "Write `muts` to the notebook's mutations file atomically (a temporary file, then `os.replace`)."
    path = NBS / f"{name}.mutations.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(muts, indent=1, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def problems(name: str, muts: list[dict]) -> list[str]:
    "One line per mutation in `muts` that cannot be applied to `nbs/<name>.ipynb` as written."
    nb = NBS / f"{name}.ipynb"
    if not nb.is_file(): return [f"{name}: no nbs/{nb.name} for nbs/{name}.mutations.json"]
    cells = ["".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code"]
    out = []
    for m in muts:
        counts = [s.count(m["target"]) for s in cells if m["target"] in s]
        if counts != [1]: out.append(f"{name}: {m['mutation']!r}: target found {sum(counts)} times in {len(counts)} code "
                                     f"cells, not once in one: update nbs/{name}.mutations.json")
        elif m["replacement"] == m["target"]: out.append(f"{name}: {m['mutation']!r}: replacement equals target")
    return out


def run_tests(nb: Path) -> tuple[bool, str]:
    "Run the notebook's tests with `nbdev_test` (slow cells skipped): (passed, the last error line it printed)."
    r = subprocess.run([str(Path(sys.executable).parent / "nbdev_test"), "--path", str(nb)], capture_output=True, text=True,
                       cwd=ROOT)
    err = re.findall(r"^\w*(?:Error|Exception)\b[^\n]*", r.stdout + r.stderr, re.M)
    return r.returncode == 0, (err[-1][:160] if err else "")


def mutate(name: str, m: dict) -> dict:
    "Run the notebook's tests on a scratch copy with `m` applied: `m` with its new outcome."
    nb_path = NBS / f"{name}.ipynb"
    nb = json.loads(nb_path.read_text())
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code" and m["target"] in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace(m["target"], m["replacement"])
    scratch = NBS / f"_mutant_{name}.ipynb"
    scratch.write_text(json.dumps(nb))
    try: passed, err = run_tests(scratch)
    finally: scratch.unlink()
    return {**m, "caught": not passed, "error": err}


def main(argv) -> int:
    check, baseline = "--check" in argv, "--no-baseline" not in argv
    args = [a for a in argv if a not in ("--check", "--no-baseline")]
    names = args[:1] or (sorted(p.name.removesuffix(".mutations.json") for p in NBS.glob("*.mutations.json")) if check else [])
    if not names: raise SystemExit(__doc__)
    if missing := [n for n in names if not (NBS / f"{n}.mutations.json").is_file()]:
        raise SystemExit(f"no nbs/{missing[0]}.mutations.json")
    only = args[1:]
    chosen = {n: [m for m in load(n) if not only or any(o in m["mutation"] for o in only)] for n in names}
    bad = [p for n, muts in chosen.items() for p in problems(n, muts)]
    if bad or check:
        print("\n".join(bad) or f"mutations: every target found once in one code cell ({', '.join(names)})")
        return 1 if bad else 0
    name = names[0]
    if baseline:
        passed, err = run_tests(NBS / f"{name}.ipynb")
        if not passed: raise SystemExit(f"{name} fails its tests unmutated ({err}): fix that first")
    for m in chosen[name]:
        done = mutate(name, m)
        print(f"{'caught' if done['caught'] else 'MISSED'}: {m['mutation']} | {done['error']}", flush=True)
        muts = load(name)   # re-read: keep edits made to the file meanwhile; record only if this entry is unchanged
        if m in muts: save(name, [done if x == m else x for x in muts])
        else: print(f"  not recorded: {m['mutation']!r} changed in the file during its run")
    print("\n| mutation | caught | last error |\n|-|-|-|")
    for m in load(name):
        print(f"| {m['mutation']} | {({True: 'yes', False: '**no**'}).get(m['caught'], 'not run')} | {m['error']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
