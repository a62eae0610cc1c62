"""The project's own metadata, as `pip install` reads it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_setuptools_reads_pyproject_without_a_warning():
    # setuptools 77+ warned three times per install that project.license as a table is
    # deprecated; the SPDX string is the current form. filterwarnings=error fails on any warning.
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    dist = apply_configuration(Distribution(), str(PYPROJECT))
    assert dist.metadata.license_expression == "AGPL-3.0-or-later"


def test_the_build_asks_for_a_setuptools_that_knows_spdx_licences():
    config = tomllib.loads(PYPROJECT.read_text())
    [setuptools] = [Requirement(r) for r in config["build-system"]["requires"]
                    if Requirement(r).name == "setuptools"]
    assert not setuptools.specifier.contains("76.9"), "license strings need setuptools>=77"
