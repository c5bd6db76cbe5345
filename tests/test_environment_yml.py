"""environment.yml, validated without conda: JSON schema, one pip block that installs this
checkout, PEP 508 pip entries, and the same version floors as pyproject.toml."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).parent / "environment.schema.json").read_text())
CHANNELS = ["conda-forge", "nodefaults"]
EXTRAS = ("notebook", "dev")  # what a conda user gets: notebooks, tests, tools
CONDA_NAMES: dict[str, str] = {"ray": "ray-core"}  # PyPI name -> conda-forge name, where they differ
PIP_ONLY: set[str] = {"thespian"}  # PyPI names missing on conda-forge (the pip block installs them)
EDITABLE = re.compile(r"""^-e\s+["']?\.(?:\[(?P<extras>[\w,\s-]+)\])?["']?$""")


def test_environment_yml_is_valid_and_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert problems(env, _pyproject()) == []


def test_schema_errors_are_reported():
    env = {"name": "bad env", "channels": "conda-forge", "dependencies": ["pip", {"conda": "x"}]}
    assert problems(env, _pyproject()) == [
        "schema: channels: 'conda-forge' is not of type 'array'",
        "schema: dependencies/1: {'conda': 'x'} is not valid under any of the given schemas",
        "schema: name: 'bad env' does not match '^[A-Za-z0-9_.-]+$'",
    ]


def test_inconsistencies_with_pyproject_are_reported():
    pyproject = {
        "project": {
            "name": "actorlab",
            "requires-python": ">=3.10,<3.14",
            "dependencies": ["dill>=0.3.8"],
            "optional-dependencies": {"notebook": ["rich>=13.7"], "dev": ["actorlab[notebook]"]},
        }
    }
    env = {
        "name": "actorlab",
        "channels": ["defaults"],
        "dependencies": [
            "python>=3.9",
            "rich>=13",
            "rich>=13",
            "numpy",
            {"pip": ["rich>>13", "-e .[nope]"]},
            {"pip": ["dill"]},
        ],
    }
    found = problems(env, pyproject)
    assert found[4].startswith("pip entry 'rich>>13' is not PEP 508 (Expected ")
    assert found[:4] + found[5:] == [
        "channels must be ['conda-forge', 'nodefaults'], not ['defaults']",
        "more than one pip: block",
        "rich listed twice",
        "a pip: block needs `pip` among the conda dependencies",
        "pip entry '-e .[nope]': extra 'nope' is not in pyproject.toml",
        "python>=3.9 differs from pyproject's requires-python >=3.10,<3.14",
        "dill is required by pyproject.toml (dill>=0.3.8): add it",
        "rich>=13 differs from pyproject.toml's rich>=13.7",
        "numpy is not required by pyproject.toml",
    ]


def problems(env: dict, pyproject: dict) -> list[str]:
    """Everything wrong with `env` (a parsed environment.yml), as messages; [] when it is fine."""
    schema_errors = sorted(Draft202012Validator(SCHEMA).iter_errors(env), key=lambda e: e.path)
    if schema_errors:
        return [f"schema: {'/'.join(map(str, e.path))}: {e.message}" for e in schema_errors]
    out = []
    if env["channels"] != CHANNELS:
        out.append(f"channels must be {CHANNELS}, not {env['channels']}")
    pip_blocks = [dep["pip"] for dep in env["dependencies"] if isinstance(dep, dict)]
    if len(pip_blocks) > 1:
        out.append("more than one pip: block")
    conda: dict[str, Requirement] = {}
    for spec in (dep for dep in env["dependencies"] if isinstance(dep, str)):
        req = Requirement(spec)  # the schema admits only PEP 440-style constraints
        name = canonicalize_name(req.name)
        if name in conda:
            out.append(f"{name} listed twice")
        conda[name] = req
    if pip_blocks and "pip" not in conda:
        out.append("a pip: block needs `pip` among the conda dependencies")
    out += _pip_problems(pip_blocks[0] if pip_blocks else [], pyproject)
    out += _floor_problems(conda, pyproject["project"])
    return out


def _pip_problems(entries: list[str], pyproject: dict) -> list[str]:
    out, installs_project = [], False
    extras = set(pyproject["project"].get("optional-dependencies", {}))
    for entry in entries:
        if entry.startswith("-e"):
            match = EDITABLE.match(entry)
            if not match:
                out.append(f"pip entry {entry!r}: only this checkout may be editable (-e .)")
                continue
            installs_project = True
            wanted = {e.strip() for e in (match["extras"] or "").split(",") if e.strip()}
            out += [
                f"pip entry {entry!r}: extra {e!r} is not in pyproject.toml"
                for e in wanted - extras
            ]
        elif entry.startswith("-"):
            out.append(f"pip entry {entry!r}: options are not used here")
        else:
            try:
                Requirement(entry)
            except InvalidRequirement as exc:
                out.append(f"pip entry {entry!r} is not PEP 508 ({str(exc).splitlines()[0]})")
    if not installs_project:
        out.append('the pip: block must install this checkout (-e . or -e ".[dev]")')
    return out


def _floor_problems(conda: dict[str, Requirement], project: dict) -> list[str]:
    out = []
    python = conda.get("python")
    requires = project["requires-python"]
    if python is None or python.specifier != Requirement(f"python{requires}").specifier:
        out.append(f"{python or 'no python'} differs from pyproject's requires-python {requires}")
    wanted = _requirements(project)
    for name, req in wanted.items():
        conda_name = CONDA_NAMES.get(name, name)
        if name in PIP_ONLY:
            continue
        if conda_name not in conda:
            out.append(f"{conda_name} is required by pyproject.toml ({req}): add it")
        elif conda[conda_name].specifier != req.specifier:
            out.append(f"{conda[conda_name]} differs from pyproject.toml's {req}")
    known = {CONDA_NAMES.get(n, n) for n in wanted} | {"python", "pip"}
    out += [f"{name} is not required by pyproject.toml" for name in conda if name not in known]
    return out


def _requirements(project: dict) -> dict[str, Requirement]:
    """The dependencies plus the EXTRAS of pyproject.toml, self-references (actorlab[x]) expanded."""
    extras = project.get("optional-dependencies", {})
    found: dict[str, Requirement] = {}
    todo = [Requirement(spec) for spec in project.get("dependencies", [])]
    todo += [Requirement(spec) for extra in EXTRAS for spec in extras.get(extra, [])]
    while todo:
        req = todo.pop(0)
        if canonicalize_name(req.name) == canonicalize_name(project["name"]):
            todo += [Requirement(spec) for extra in req.extras for spec in extras[extra]]
        else:
            found.setdefault(canonicalize_name(req.name), req)
    return found


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())
