"""The offline docs site: one page per notebook, each with the site navigation, equations served locally."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "nbs").glob("[!_.]*.ipynb"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_docs.py"), str(site)], cwd=ROOT, check=True)
    return site


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_has_a_page_with_navigation(site, name):
    page = site / f"{name}.html"
    assert page.is_file(), f"no docs page for nbs/{name}.ipynb"
    html = page.read_text()
    assert '<nav class="md-nav md-nav--primary"' in html, f"{page.name} has no navigation sidebar"
    nav_links = set(re.findall(r'<a href="([^"#]+)" class="md-nav__link', html))
    missing = {f"{other}.html" for other in NOTEBOOKS} - nav_links
    assert not missing, f"{page.name}'s navigation lacks {sorted(missing)}"


def test_no_script_or_style_from_a_cdn(site):
    for page in site.glob("*.html"):
        html = page.read_text()
        remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        assert not remote, f"{page.name} loads {remote[:3]} from the network"
        if "MathJax" in html:
            assert (site / "assets" / "mathjax" / "MathJax.js").is_file()


def test_api_docs_rendered(site):
    html = (site / "00_core.html").read_text()
    assert "atomic_write" in html and "project_root" in html


def rendered_dom(page: Path) -> str:
    "The page's DOM after its scripts ran, from headless Chromium (offline; no network is reachable anyway)."
    import shutil, tempfile
    exe = shutil.which("chromium")
    if exe is None: pytest.skip("Chromium is not installed (Debian package `chromium`; .ci/run installs it)")
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                            "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
                            "--virtual-time-budget=15000", "--dump-dom", page.as_uri()],
                           capture_output=True, text=True, timeout=120)
    return r.stdout


def test_equations_render_in_a_browser(site):
    count = {p: len(re.findall(r"\\frac|\\sum|\\lVert|\\log", p.read_text())) for p in site.glob("*.html")}
    pages = sorted(count, key=count.get, reverse=True)
    assert count[pages[0]] > 3, "no page with equations: the math check has nothing to check"
    dom = rendered_dom(pages[0])
    assert "MathJax" in dom and 'class="MathJax' in dom, f"MathJax did not typeset {pages[0].name}"
    assert "Math Processing Error" not in dom, f"{pages[0].name} has equations MathJax could not render"
