"""The package imports, its version matches settings.ini, and the console script answers."""
import configparser
import subprocess
import sys
from pathlib import Path

import reid_repro

ROOT = Path(__file__).resolve().parents[1]


def test_version_matches_settings():
    cfg = configparser.ConfigParser(delimiters=["="])
    cfg.read(ROOT / "settings.ini")
    assert reid_repro.__version__ == cfg["DEFAULT"]["version"]


def test_imports_this_clone():
    assert Path(reid_repro.__file__).resolve().parent == ROOT / "reid_repro"


def test_console_script_help():
    exe = Path(sys.executable).parent / "reid_repro"
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True).stdout
    assert "usage: reid_repro" in out and "reproduce" in out


def test_console_script_rejects_unknown_command():
    exe = Path(sys.executable).parent / "reid_repro"
    r = subprocess.run([str(exe), "no-such-command"], capture_output=True, text=True)
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_train_and_eval_scripts_help():
    for name, words in [("reid_train", ["--dataset", "cuhk01", "--model", "resnet18"]), ("reid_eval", ["checkpoint", "--metric"])]:
        out = subprocess.run([str(Path(sys.executable).parent / name), "--help"], capture_output=True, text=True, check=True).stdout
        assert f"usage: {name}" in out and all(w in out for w in words), out


def test_eval_missing_checkpoint_names_the_fix():
    r = subprocess.run([str(Path(sys.executable).parent / "reid_eval"), "/no/such/last.pt"], capture_output=True, text=True)
    assert r.returncode == 1 and "no checkpoint at /no/such/last.pt" in r.stderr and "Traceback" not in r.stderr


def test_every_paper_command_helps():
    exe = Path(sys.executable).parent / "reid_repro"
    for topic in ("baseline", "kvmmn", "han", "robust", "sambn", "dmosnet"):
        out = subprocess.run([str(exe), topic, "--help"], capture_output=True, text=True, check=True).stdout
        assert f"usage: reid_repro {topic}" in out and all(w in out for w in ("train", "tables")), out
        out = subprocess.run([str(exe), topic, "train", "--help"], capture_output=True, text=True, check=True).stdout
        assert "--only" in out, out
    for topic in ("han", "robust", "sambn", "dmosnet"):   # the papers with a full-benchmark recipe
        out = subprocess.run([str(exe), topic, "paper", "--help"], capture_output=True, text=True, check=True).stdout
        assert "--dataset" in out, out


def test_eval_bad_files_get_one_line(tmp_path):
    import pickle
    code = tmp_path / "code.pt"
    code.write_bytes(pickle.dumps(print))  # a pickled global: refused by weights_only
    (tmp_path / "text.pt").write_text("not a checkpoint\n")
    (tmp_path / "empty.pt").write_bytes(b"")
    for f in ("code.pt", "text.pt", "empty.pt"):
        r = subprocess.run([str(Path(sys.executable).parent / "reid_eval"), str(tmp_path / f)], capture_output=True, text=True)
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.strip().count("\n") == 0 and str(tmp_path / f) in r.stderr, r.stderr
