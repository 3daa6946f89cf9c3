"""What a fresh clone installs: the package's dependencies, the make targets, the CI entry point."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement  # comes with pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirements(names):
    return [Requirement(text) for text in names]


def test_hypothesis_and_the_renderer_are_package_dependencies():
    """autograd.testing needs hypothesis, and graphs render without system Graphviz."""
    dependencies = requirements(PROJECT["dependencies"])
    assert "hypothesis" in {r.name for r in dependencies}
    pure = [r for r in dependencies if r.name == "graphviz-pure"]
    platforms = [
        ("linux", "x86_64"),
        ("linux", "aarch64"),
        ("darwin", "x86_64"),
        ("darwin", "arm64"),
        ("win32", "AMD64"),
        ("win32", "ARM64"),
    ]
    for system, machine in platforms:  # where graphviz-pure has wheels: installed once
        env = dict(sys_platform=system, platform_machine=machine)
        assert sum(r.marker.evaluate(env) for r in pure) == 1, env
    for system, machine in [("linux", "ppc64le"), ("linux", "armv7l"), ("win32", "x86")]:
        env = dict(sys_platform=system, platform_machine=machine)  # no wheel: not required
        assert not any(r.marker.evaluate(env) for r in pure), env


def test_the_notebooks_extra_installs_what_the_notebooks_use():
    installed = {r.name for r in requirements(PROJECT["dependencies"])}
    installed |= {r.name for r in requirements(PROJECT["optional-dependencies"]["notebooks"])}
    assert "jupyterlab" in installed
    pip_names = {"sklearn": "scikit-learn"}
    ours_or_stdlib = {"autograd", "nn", *sys.stdlib_module_names}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        modules = set(re.findall(r"^\s*(?:import|from) (\w+)", code, re.MULTILINE))
        if "load_digits" in code:  # nn.data.load_digits reads scikit-learn's copy
            modules.add("sklearn")
        for module in modules - ours_or_stdlib:
            assert pip_names.get(module, module) in installed, (path.name, module)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_notebooks_opens_jupyterlab_from_the_venv_through_an_extra():
    # under `make test` the inner make would print "Entering/Leaving directory" lines
    command = ["make", "--no-print-directory", "-n", "-B", "notebooks"]
    plan = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert 'pip install -q -e ".[notebooks]"' in plan
    assert plan.splitlines()[-1] == ".venv/bin/jupyter lab notebooks"


def test_ci_installs_no_system_graphviz():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "graphviz" not in script.replace("graphviz-pure", "")
    assert script.splitlines()[-1] == "make test"
