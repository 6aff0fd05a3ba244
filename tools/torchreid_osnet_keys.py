"""Write torchreid 0.2.5's OSNet state-dict keys and shapes to nbs/02a_backbones.torchreid_osnet.json.

The shared OSNet (02a_backbones) keeps torchreid's module names so that torchreid's state dicts load; its test checks
them against this file. Regenerate with `.venv/bin/python tools/torchreid_osnet_keys.py` (fetches torchreid's sdist
once, see `reid_repro.bench.torchreid_model_module`).
"""
import json
import re
from pathlib import Path

from reid_repro.bench import torchreid_model_module

OUT = Path(__file__).resolve().parents[1] / "nbs" / "02a_backbones.torchreid_osnet.json"

if __name__ == "__main__":
    osnet = torchreid_model_module("osnet")
    if osnet is None: raise SystemExit("torchreid's osnet.py could not be had (see the message above)")
    keys = {name: {k: list(v.shape) for k, v in getattr(osnet, name)(num_classes=751, pretrained=False).state_dict().items()}
            for name in ("osnet_x1_0", "osnet_ibn_x1_0")}
    text = json.dumps({"source": "torchreid 0.2.5 (PyPI sdist), torchreid/reid/models/osnet.py, num_classes=751",
                       "state_dict_shapes": keys}, indent=1)
    one_line = lambda m: "[" + ", ".join(d for d in re.split(r"[,\s]+", m.group(1)) if d) + "]"   # a shape on one line
    OUT.write_text(re.sub(r"\[([\d,\s]*)\]", one_line, text) + "\n")
    print(f"wrote {OUT} ({', '.join(f'{n}: {len(k)} keys' for n, k in keys.items())})")
