VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test bench fuzz lint clean

$(VENV)/.installed-demo: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[train]"
	touch $@

$(VENV)/.installed-test: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@ $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	$(PY) -m nn.train

test: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=ci $(PY) -m pytest

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check autograd nn tests benchmarks
	$(VENV)/bin/ruff format --check autograd nn tests benchmarks

clean:
	rm -rf $(VENV)
