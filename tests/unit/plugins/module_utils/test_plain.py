"""module_utils plain: template values read once into plain dicts, lists, strs and numbers (the filters that copy
their input then copy plain data), the normalized definition the same from either, and the cluster_definition
filter on a value nested too deeply for that."""

from __future__ import annotations

import copy
import pathlib
from collections import OrderedDict
from collections.abc import Mapping

import pytest
import yaml

from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize
from ansible_collections.aews.eks.plugins.filter.cluster_definition import _plain as filter_plain
from ansible_collections.aews.eks.plugins.module_utils._eks.plain import plain

ROOT = pathlib.Path(__file__).resolve().parents[4]


class TaggedStr(str):
    pass


class TaggedInt(int):
    pass


class LazyDict(Mapping):
    """A read-only mapping that is not a dict, as Ansible's lazy containers are to a filter."""

    def __init__(self, data):
        self._data = data

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def __deepcopy__(self, memo):
        raise AssertionError("a lazy container was deep-copied")


def _types(value):
    if isinstance(value, dict):
        return {type(value)} | {t for k, v in value.items() for t in _types(k) | _types(v)}
    if isinstance(value, list):
        return {type(value)} | {t for v in value for t in _types(v)}
    return {type(value)}


def test_every_container_and_scalar_becomes_its_plain_type():
    value = LazyDict(
        {
            TaggedStr("name"): TaggedStr("myeks"),
            "size": TaggedInt(3),
            "ratio": 0.5,
            "on": True,
            "none": None,
            "zones": (TaggedStr("a"), "b"),
            "nested": OrderedDict(labels=LazyDict({"k": TaggedStr("v")})),
        }
    )
    result = plain(value)
    assert result == {
        "name": "myeks",
        "size": 3,
        "ratio": 0.5,
        "on": True,
        "none": None,
        "zones": ["a", "b"],
        "nested": {"labels": {"k": "v"}},
    }
    assert _types(result) == {dict, list, str, int, float, bool, type(None)}
    copy.deepcopy(result)  # plain data copies without touching the lazy containers


def test_the_seed_definition_normalizes_the_same_from_lazy_containers():
    data = yaml.safe_load((ROOT / "examples" / "seed-cluster.yml").read_text())["aews_eks_cluster"]

    def lazy(value):
        if isinstance(value, dict):
            return LazyDict({TaggedStr(k): lazy(v) for k, v in value.items()})
        if isinstance(value, list):
            return tuple(lazy(v) for v in value)
        if isinstance(value, str):
            return TaggedStr(value)
        return value

    expected = normalize(copy.deepcopy(data), check_files=False)
    assert normalize(plain(lazy(data)), check_files=False) == expected


def test_keys_through_str_as_a_cluster_config_has_them():
    assert plain({1: {TaggedStr("a"): (2,)}}, key=str) == {"1": {"a": [2]}}
    assert plain({1: "x"}) == {1: "x"}


def test_a_value_nested_too_deeply_raises_and_the_filter_passes_it_on_as_it_is():
    nested = []
    for _level in range(5000):
        nested = [nested]
    with pytest.raises(RecursionError):
        plain(nested)
    assert filter_plain(nested) is nested
