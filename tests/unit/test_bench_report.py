"""bench/report.py: the medians, ratios and tables make bench writes (pure functions, no run)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(report)


def trial(wall, calls, mutating, changed=0):
    return {"wall": wall, "calls": calls, "mutating": mutating, "changed": changed}


def results(peer, aews):
    return {"peer": {phase: peer for phase in report.PHASES}, "aews": {phase: aews for phase in report.PHASES}}


def test_median_odd_even_and_empty():
    assert report.median([3, 1, 2]) == 2
    assert report.median([4, 1, 3, 2]) == 2.5
    assert report.median([7.5]) == 7.5
    with pytest.raises(ValueError):
        report.median([])


def test_ratio_guards_zero_and_missing():
    assert report.ratio(30, 60) == 0.5
    assert report.ratio(0, 5) == 0
    assert report.ratio(5, 0) is None
    assert report.ratio(None, 5) is None
    assert report.fmt_ratio(None) == "-"
    assert report.fmt_ratio(2 / 3) == "0.67"


def test_side_by_side_takes_each_figures_median_and_the_ratios_aews_over_peer():
    rows = report.side_by_side(
        results(peer=[trial(40, 100, 2), trial(60, 110, 4)], aews=[trial(20, 80, 0), trial(30, 90, 0)])
    )
    assert [r["phase"] for r in rows] == ["converge", "noop", "teardown"]
    noop = rows[1]
    assert noop["peer"] == {"wall": 50, "calls": 105, "mutating": 3, "changed": 0}
    assert noop["aews"] == {"wall": 25, "calls": 85, "mutating": 0, "changed": 0}
    assert noop["wall_ratio"] == 0.5
    assert noop["calls_ratio"] == pytest.approx(85 / 105)
    assert noop["mutating_ratio"] == 0


def test_side_by_side_table_shows_each_cell_and_ratio():
    rows = report.side_by_side(results(peer=[trial(40.0, 100, 4, 2)], aews=[trial(30.0, 50, 0)]))
    table = report.side_by_side_table(rows, {"peer": 18, "aews": 26}).splitlines()
    assert table[0].startswith("| run | amazon.aws + community.aws, partial stack (18 resources) |")
    assert "aews.eks site.yml, whole seed stack (26 resources)" in table[0]
    assert table[1] == "| --- | --- | --- | --- | --- | --- |"
    assert table[3] == (
        "| no-op re-run | 40.0 s, 100 calls, 4 mutating, changed=2 | 30.0 s, 50 calls, 0 mutating, changed=0 "
        "| 0.75 | 0.50 | 0.00 |"
    )
    assert len(table) == 5


def test_reads_per_resource_against_the_minimum_of_one_read_each():
    assert report.reads_per_resource({"calls": 40, "mutating": 0}, 25) == (40, 25, 1.6)
    assert report.reads_per_resource({"calls": 40, "mutating": 10}, 30) == (30, 30, 1.0)


def test_critical_path_and_serial_sum():
    seconds = {"cluster": 10.0, "nodegroup": 3.0, "addon": 1.0, "nat_gateway": 2.0}
    assert report.critical_path(seconds, addons_after_nodes=True) == 14.0
    assert report.critical_path(seconds, addons_after_nodes=False) == 13.0
    # eksctl's order: NAT gateway, cluster, 4 add-ons one by one, 1 nodegroup
    assert report.serial_sum(seconds, nodegroups=1, addons=4, nat_gateways=1) == 2 + 10 + 4 + 3


def test_aws_like_rows_ratio_to_critical_path_plus_overhead():
    rows = report.aws_like_rows(measured=60.0, overhead=40.0, path=14.0, serial=19.0)
    assert [r[1] for r in rows] == [14.0, 40.0, 54.0, 60.0, 59.0]
    assert rows[2][2] == 1.0
    assert rows[3][2] == pytest.approx(60 / 54)
    assert rows[4][2] == pytest.approx(59 / 54)
    table = report.aws_like_table(rows).splitlines()
    assert table[5] == "| site.yml first converge, measured | 60.0 s | 1.11 |"


def test_fleet_rows_ratio_to_one_cluster():
    rows = report.fleet_rows({8: {"wall": 90.0, "peak_rss_mb": 900.0, "failed": 0},
                              1: {"wall": 30.0, "peak_rss_mb": 210.4, "failed": 0}})  # fmt: skip
    assert [r["clusters"] for r in rows] == [1, 8]
    assert rows[1]["ratio"] == 3.0
    assert report.fleet_table(rows).splitlines()[2] == "| 1 | 30.0 s | 1.00 | 210 MB | 0 |"
    assert report.fleet_rows({4: {"wall": 9.0, "peak_rss_mb": 1.0, "failed": 0}})[0]["ratio"] is None


def test_profile_tasks_adds_up_the_closing_list_slowest_first():
    output = """TASK [x] ***
ok: [localhost]
Some -- text ---- 9.00s before the recap is not the list
PLAY RECAP *********************************************************************
localhost : ok=3 changed=0

Saturday 28 November 2026  11:38:30 +0000 (0:00:00.183)       0:01:16.272 *****
===============================================================================
aews.eks.addons : Create | Add-ons ----------------------------------------- 4.78s
aews.eks.vpc : Create | VPC ------------------------------------------------ 1.83s
aews.eks.addons : Create | Add-ons ----------------------------------------- 1.22s
Site | Summary ------------------------------------------------------------- 0.30s
"""
    slowest = [("aews.eks.addons : Create | Add-ons", 6.0), ("aews.eks.vpc : Create | VPC", 1.83)]
    assert report.profile_tasks(output, top=2) == slowest
    table = report.hot_spot_table([("a : B | C", 1.5)]).splitlines()
    assert table[2] == "| a : B &#124; C | 1.50 |"


def test_replace_between_keeps_the_markers_and_the_rest():
    text = "a\n<!-- s -->\nold\nlines\n<!-- e -->\nb\n"
    assert report.replace_between(text, "<!-- s -->", "<!-- e -->", "new") == "a\n<!-- s -->\nnew\n<!-- e -->\nb\n"
    with pytest.raises(ValueError):
        report.replace_between("no markers", "<!-- s -->", "<!-- e -->", "new")
