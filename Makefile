# The two commands a newcomer needs are `make reproduce` and `make test`; the rest serve them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := .venv/bin
export PYTHONHASHSEED := 0

.PHONY: install test reproduce docs lab check-sync clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

install:  ## create .venv (dependencies cached by constraints.txt's hash) and install this clone editable
	@bash tools/install.sh

test: install  ## notebooks in sync with the library, then nbdev_test, then pytest
	@bash tools/check_sync.sh
	$(VENV)/nbdev_test --n_workers 2
	@rc=0; $(VENV)/python -m pytest tests/ || rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest: no tests collected (not a failure)"; rc=0; fi; exit $$rc

reproduce: install  ## regenerate every table and figure, training only what is missing (FULL=1: retrain all and compare)
	$(VENV)/reid_repro reproduce $(if $(NB),--only $(NB)) $(if $(FULL),--full)

docs: install  ## render every notebook into the offline site _docs/ (open _docs/index.html)
	$(VENV)/python tools/build_docs.py

LAB_PORT ?= 8888
lab: install  ## JupyterLab on http://127.0.0.1:$(LAB_PORT) (notebooks in nbs/); works as root too (containers)
	$(VENV)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) --ServerApp.port_retries=0 \
	  --ServerApp.root_dir=. --no-browser $(if $(filter 0,$(shell id -u)),--allow-root)

clean:  ## remove build outputs (keeps the cached dependency environment)
	rm -rf .venv _docs _proc .pytest_cache build *.egg-info
