"""The bad definitions of tests/functional/bad_definitions/corpus.yml through the filters alone (no AWS).

A case the filters find is refused with its message (the field's path in the user's input, what is allowed, what
to do); a case marked ``aws`` needs AWS's answers, so the filters must accept it (the definition role's
aws.eks.eks_definition_check finds it: tests/functional/test_definition_checks.py).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import EksctlConfigError
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import convert

CORPUS = yaml.safe_load(
    (Path(__file__).resolve().parents[3] / "functional" / "bad_definitions" / "corpus.yml").read_text()
)


def merge(base, change):
    """``change`` deep-merged into ``base``, lists replaced (as Ansible's combine(recursive=True))."""
    result = copy.deepcopy(base)
    for key, value in (change or {}).items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def definition_of(case):
    """The definition a case gives the definition role (an eksctl case converted first)."""
    if "eksctl" in case:
        return convert(merge(CORPUS["eksctl_base"], case["eksctl"]))
    return merge(CORPUS["base"], case["change"])


def test_corpus_is_large_and_its_bases_are_valid(tmp_path):
    assert len(CORPUS["cases"]) >= 40
    assert len({case["why"] for case in CORPUS["cases"]}) == len(CORPUS["cases"])
    normalize(CORPUS["base"], base_dir=str(tmp_path))
    normalize(convert(CORPUS["eksctl_base"]), base_dir=str(tmp_path))


@pytest.mark.parametrize(
    "case", [c for c in CORPUS["cases"] if not c.get("aws")], ids=lambda c: c["why"]
)  # fmt: skip
def test_filters_refuse_naming_the_field(case, tmp_path):
    with pytest.raises((DefinitionError, EksctlConfigError)) as info:
        normalize(definition_of(case), base_dir=str(tmp_path))
    message = str(info.value)
    assert case["error"] in message
    for text in case.get("also", []):
        assert text in message
    # One problem, one line (an eksctl conversion lists its problems under one heading).
    assert len(message.splitlines()) <= 2


@pytest.mark.parametrize("case", [c for c in CORPUS["cases"] if c.get("aws")], ids=lambda c: c["why"])
def test_filters_accept_what_only_aws_knows(case, tmp_path):
    result = normalize(definition_of(case), base_dir=str(tmp_path))
    assert "error" not in result
