"""docs/mlp_graph.svg is what docs/make_graph.py writes today, byte for byte."""

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
    out = tmp_path / "mlp_graph.svg"
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED=hash_seed)
    command = [sys.executable, str(ROOT / "docs" / "make_graph.py"), str(out)]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    assert out.read_bytes() == (ROOT / "docs" / "mlp_graph.svg").read_bytes(), (
        "docs/mlp_graph.svg is stale: run `.venv/bin/python docs/make_graph.py` and commit it"
    )
