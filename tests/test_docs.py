"""The pictures in docs/ are what docs/make_graph.py writes today, byte for byte."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import renderer

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(renderer.pure_program() is None, reason="graphviz-pure has no wheel here")
@pytest.mark.parametrize("hash_seed", ["0", "12345"])
def test_make_graph_reproduces_the_committed_svg(tmp_path, hash_seed):
    """Node ids and layout depend on nothing that changes between runs (ids, hash seeds)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED=hash_seed)
    command = [sys.executable, str(ROOT / "docs" / "make_graph.py"), str(tmp_path)]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    for name in ("mlp_graph.svg", "module_boxes.svg", "grad_flow.svg"):
        assert (tmp_path / name).read_bytes() == (ROOT / "docs" / name).read_bytes(), (
            f"docs/{name} is stale: run `.venv/bin/python docs/make_graph.py` and commit it"
        )
