VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo notebooks test bench fuzz lint clean

# One stamp per extra: the venv, with the package and that extra installed.
$(VENV)/.installed-%: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[$*]"
	touch $@

demo: $(VENV)/.installed-train
	$(PY) -m nn.train

# JupyterLab on the teaching notebooks, with the venv's Python as their kernel (Ctrl-C stops it).
notebooks: $(VENV)/.installed-notebooks
	$(VENV)/bin/jupyter lab notebooks

# The notebooks run top to bottom as tests (nbmake); a cell that raises fails the suite.
test: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=ci $(PY) -m pytest tests --nbmake notebooks

# Thousands of random programs against finite differences and numpy (see tests/test_fuzz.py).
fuzz: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/test_fuzz.py -q --hypothesis-show-statistics

# The peers are optional: when pip cannot install them, their columns are skipped.
bench: $(VENV)/.installed-test
	@$(PY) -c "import torch, micrograd" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0 \
		micrograd || echo "bench: could not install torch/micrograd; skipping those peers"
	$(PY) -m benchmarks

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check autograd nn tests benchmarks notebooks
	$(VENV)/bin/ruff format --check autograd nn tests benchmarks notebooks

clean:
	rm -rf $(VENV)
