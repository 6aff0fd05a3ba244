"""Build the documentation site offline into `_docs/` (`make docs`).

Quarto, which `nbdev_docs` renders with, cannot be installed on machines without GitHub access, so this renders the
same nbdev-processed notebooks with mkdocs-material + mkdocs-jupyter instead:

1. nbdev's own notebook processing (`nbdev.serve.proc_nbs`, what `nbdev_proc_nbs` runs after its Quarto check):
   exported functions get their `show_doc` API docs, `#| hide` cells go, directives become cell options;
2. Quarto cell options that mkdocs-jupyter does not know become cell tags (`#| echo: false` hides the input,
   `#| output: false` the outputs) and the `#|` lines are dropped;
3. mkdocs builds one site with navigation, search and MathJax served from the site itself (no CDN).

Where Quarto exists, `nbdev_docs` still works on the same notebooks.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "build" / "docs_src"  # what mkdocs reads (git-ignored)


def frontmatter_to_title(nb: dict) -> str | None:
    "Replace nbdev's Quarto front matter (a raw cell) by a `# title` and `> description` cell; return the title."
    import yaml
    for i, c in enumerate(nb["cells"]):
        src = "".join(c["source"])
        if c["cell_type"] == "raw" and src.startswith("---"):
            fm = yaml.safe_load(src.strip().strip("-")) or {}
            text = f"# {fm.get('title', '')}" + (f"\n\n> {fm['description']}" if fm.get("description") else "")
            nb["cells"][i] = {"cell_type": "markdown", "metadata": {}, "source": text}
            return fm.get("title")
    return None


def restore_show_doc_order(nb: dict) -> dict:
    "nbdev inserts each symbol's `show_doc` cell right after its export cell, which reverses a multi-symbol cell."
    cells, out, run = nb["cells"], [], []
    is_doc = lambda c: c["cell_type"] == "code" and re.fullmatch(r"(#\|.*\n)*show_doc\(\w+\)\s*", "".join(c["source"]))
    for c in cells + [None]:
        if c is not None and is_doc(c): run.append(c); continue
        out += run[::-1]
        run = []
        if c is not None: out.append(c)
    nb["cells"] = out
    return nb


def quarto_options_to_tags(nb: dict) -> dict:
    "Turn `#| echo: false` / `#| output: false` into mkdocs-jupyter tags and drop the directive lines."
    for c in nb["cells"]:
        if c["cell_type"] != "code": continue
        lines = "".join(c["source"]).splitlines(keepends=True)
        opts = [l for l in lines if l.startswith("#|")]
        tags = set(c.get("metadata", {}).get("tags", []))
        if any(re.match(r"#\|\s*echo:\s*false", l) for l in opts): tags.add("hide-input")
        if any(re.match(r"#\|\s*output:\s*false", l) for l in opts): tags.add("hide-output")
        c["source"] = "".join(l for l in lines if not l.startswith("#|")).lstrip("\n")
        c.setdefault("metadata", {})["tags"] = sorted(tags)
    return nb


def pandoc_links_to_html(nb: dict) -> dict:
    "show_doc writes `[source](url){target=... style=...}`, Pandoc syntax that Python-Markdown prints verbatim."
    pat = re.compile(r'\[([^\]]+)\]\(([^)]+)\)\{target="_blank" style="([^"]*)"\}')
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            md = o.get("data", {}).get("text/markdown")
            if md is not None:
                md = "".join(md) if isinstance(md, list) else md
                o["data"]["text/markdown"] = pat.sub(r'<a href="\2" target="_blank" style="\3">\1</a>', md)
    return nb


def main(site: Path = ROOT / "_docs") -> int:
    from nbdev.config import get_config
    from nbdev.doclinks import _build_modidx
    from nbdev.serve import proc_nbs

    cfg = get_config()
    _build_modidx()
    proc_nbs(cfg.nbs_path, n_workers=0)
    proc = ROOT / "_proc"

    shutil.rmtree(SRC, ignore_errors=True)
    SRC.mkdir(parents=True)
    nav = []
    for f in sorted(proc.glob("*.ipynb")):
        nb = json.loads(f.read_text())
        title = frontmatter_to_title(nb) or f.stem
        nb = quarto_options_to_tags(pandoc_links_to_html(restore_show_doc_order(nb)))
        text = json.dumps(nb, indent=1).replace("../figures/", "figures/")  # nbs/ -> site-root relative
        (SRC / f.name).write_text(text)
        nav.append({title if f.name == "index.ipynb" else f"{f.stem.split('_')[0]} · {title}": f.name})
    if not nav: sys.exit("docs: no processed notebooks found in _proc/: is nbs/ empty?")
    nav.sort(key=lambda d: (next(iter(d.values())) != "index.ipynb", next(iter(d.values()))))
    if (ROOT / "figures").is_dir(): shutil.copytree(ROOT / "figures", SRC / "figures")

    import jupyter_server_mathjax
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(mathjax, SRC / "assets" / "mathjax")
    # The package ships only the STIX-Web fonts: without this config MathJax looks for its TeX fonts, falls back to
    # system fonts and fails on glyphs such as primes ("Math Processing Error").
    (SRC / "assets" / "mathjax" / "config" / "local").mkdir(parents=True, exist_ok=True)
    (SRC / "assets" / "mathjax" / "config" / "local" / "reid.js").write_text(
        'MathJax.Hub.Config({"HTML-CSS": {availableFonts: ["STIX-Web"], preferredFont: "STIX-Web", webFont: "STIX-Web", '
        'imageFont: null}});\nMathJax.Ajax.loadComplete("[MathJax]/config/local/reid.js");\n')

    mk = json.loads((ROOT / "tools" / "mkdocs.json").read_text())
    mk.update(docs_dir=str(SRC), site_dir=str(site), nav=nav, site_name=cfg.title, site_description=cfg.description)
    (ROOT / "build" / "mkdocs.yml").write_text(json.dumps(mk, indent=1))  # JSON is YAML
    shutil.rmtree(site, ignore_errors=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(ROOT / "build" / "mkdocs.yml")], env=env)
    if r.returncode: return r.returncode
    print(f"docs: {len(nav)} pages -> {site}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main(*map(Path, sys.argv[1:2])))
