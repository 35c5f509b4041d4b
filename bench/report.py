"""make bench's figures turned into tables, the markdown page and the plot (pure functions, but for the plot).

bench/run.py measures; this module only computes medians and ratios and formats them, so it is unit-tested with
literals (tests/unit/test_bench_report.py).
"""

from __future__ import annotations

import re

PHASES = ("converge", "noop", "teardown")
PHASE_TITLES = {"converge": "first converge", "noop": "no-op re-run", "teardown": "teardown"}
STACKS = ("peer", "aews")
STACK_TITLES = {
    "peer": "amazon.aws + community.aws, partial stack",
    "aews": "aews.eks site.yml, whole seed stack",
}
PROFILE_LINE = re.compile(r"^(?P<task>.+?) -{2,} (?P<seconds>\d+(?:\.\d+)?)s\s*$")


def median(values):
    """The median of a non-empty list of numbers (the mean of the middle two for an even count)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("median of no values")
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def ratio(numerator, denominator):
    """numerator / denominator, or None when the denominator is 0 or either is missing."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def fmt_ratio(value):
    return "-" if value is None else f"{value:.2f}"


def fmt_seconds(value):
    return "-" if value is None else f"{value:.1f} s"


def summarize(trials):
    """trials: [{"wall": s, "calls": n, "mutating": n, "changed": n}, ...] -> the median of each figure."""
    keys = ("wall", "calls", "mutating", "changed")
    return {key: median([t[key] for t in trials]) for key in keys if all(key in t for t in trials)}


def side_by_side(results):
    """results: {stack: {phase: [trial, ...]}} -> one row per phase with both stacks' medians and the ratios
    (aews.eks / peer: below 1 is aews.eks faster or fewer)."""
    rows = []
    for phase in PHASES:
        peer = summarize(results["peer"][phase])
        aews = summarize(results["aews"][phase])
        rows.append(
            {
                "phase": phase,
                "peer": peer,
                "aews": aews,
                "wall_ratio": ratio(aews["wall"], peer["wall"]),
                "calls_ratio": ratio(aews["calls"], peer["calls"]),
                "mutating_ratio": ratio(aews["mutating"], peer["mutating"]),
            }
        )
    return rows


def side_by_side_table(rows, resources):
    """Markdown table of side_by_side rows; resources: {stack: number of managed resources}."""

    def cell(figures):
        changed = f", changed={figures['changed']:g}" if "changed" in figures else ""
        return f"{fmt_seconds(figures['wall'])}, {figures['calls']:g} calls, {figures['mutating']:g} mutating{changed}"

    lines = [
        f"| run | {STACK_TITLES['peer']} ({resources['peer']} resources) "
        f"| {STACK_TITLES['aews']} ({resources['aews']} resources) | wall ratio | calls ratio | mutating ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {PHASE_TITLES[row['phase']]} | {cell(row['peer'])} | {cell(row['aews'])} | {fmt_ratio(row['wall_ratio'])} "
            f"| {fmt_ratio(row['calls_ratio'])} | {fmt_ratio(row['mutating_ratio'])} |"
        )
    return "\n".join(lines)


def reads_per_resource(noop, resources):
    """The no-op's read calls against the minimum of one read per managed resource: (reads, minimum, ratio)."""
    reads = noop["calls"] - noop["mutating"]
    return reads, resources, ratio(reads, resources)


def critical_path(durations, addons_after_nodes):
    """Seconds of the critical path: the cluster, then the nodegroups (created together), then the add-ons that
    wait for nodes (together). durations: {"cluster", "nodegroup", "addon", "nat_gateway"} in seconds."""
    return durations["cluster"] + durations["nodegroup"] + (durations["addon"] if addons_after_nodes else 0.0)


def serial_sum(durations, nodegroups, addons, nat_gateways):
    """Seconds of the same transitions one after another, as eksctl orders them: the network (NAT gateways), the
    cluster, each add-on, each nodegroup."""
    return (
        durations["nat_gateway"] * nat_gateways
        + durations["cluster"]
        + durations["addon"] * addons
        + durations["nodegroup"] * nodegroups
    )


def aws_like_rows(measured, overhead, path, serial):
    """The AWS-like timing table's rows: (label, seconds, ratio to critical path + overhead)."""
    bound = path + overhead
    return [
        ("critical path (cluster, nodegroups, add-ons waiting for nodes)", path, None),
        ("Ansible's fixed overhead (the no-op re-run in the same run)", overhead, None),
        ("critical path + overhead", bound, 1.0),
        ("site.yml first converge, measured", measured, ratio(measured, bound)),
        ("serial sum (eksctl's order, each step after the previous) + overhead", serial + overhead,
         ratio(serial + overhead, bound)),
    ]  # fmt: skip


def aws_like_table(rows):
    lines = ["| | wall time | ratio to critical path + overhead |", "| --- | --- | --- |"]
    for label, seconds, value in rows:
        lines.append(f"| {label} | {fmt_seconds(seconds)} | {fmt_ratio(value)} |")
    return "\n".join(lines)


def fleet_rows(fleets):
    """fleets: {N: {"wall": s, "peak_rss_mb": MB, "failed": n}} -> rows with the ratio to one cluster's time."""
    one = fleets.get(1, {}).get("wall")
    return [
        {"clusters": n, **fleets[n], "ratio": ratio(fleets[n]["wall"], one)}
        for n in sorted(fleets)
    ]  # fmt: skip


def fleet_table(rows):
    lines = [
        "| clusters (hosts, forks) | wall time | ratio to 1 cluster | controller peak memory | failed hosts |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row['clusters']} | {fmt_seconds(row['wall'])} | {fmt_ratio(row['ratio'])} "
            f"| {row['peak_rss_mb']:.0f} MB | {row['failed']} |"
        )
    return "\n".join(lines)


def profile_tasks(output, top=10):
    """The slowest tasks of a run from the profile_tasks callback's closing list: [(task, seconds)], slowest first,
    the same task name added up."""
    totals = {}
    tail = output.rsplit("PLAY RECAP", 1)[-1]
    for line in tail.splitlines():
        match = PROFILE_LINE.match(line.strip())
        if match:
            task = match.group("task").strip()
            totals[task] = totals.get(task, 0.0) + float(match.group("seconds"))
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:top]


def hot_spot_table(tasks):
    lines = ["| task | seconds |", "| --- | --- |"]
    for task, seconds in tasks:
        lines.append(f"| {task.replace('|', '&#124;')} | {seconds:.2f} |")
    return "\n".join(lines)


def replace_between(text, start, end, content):
    """text with what lies between the start and end markers replaced by content (the markers kept)."""
    head, found, rest = text.partition(start)
    if not found or end not in rest:
        raise ValueError(f"markers {start} ... {end} not found")
    return f"{head}{start}\n{content}\n{end}{rest.split(end, 1)[1]}"


def plot(path, rows, aws_rows, fleets):  # pragma: no cover - drawing only
    """docs/benchmarks.png: the side-by-side wall times, the AWS-like timing and the fleets."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.8))
    positions = range(len(rows))
    width = 0.38
    left.bar([p - width / 2 for p in positions], [r["peer"]["wall"] for r in rows], width,
             label=STACK_TITLES["peer"], color="#999999")  # fmt: skip
    left.bar([p + width / 2 for p in positions], [r["aews"]["wall"] for r in rows], width,
             label=STACK_TITLES["aews"], color="#ff9900")  # fmt: skip
    left.set_xticks(list(positions), [PHASE_TITLES[r["phase"]] for r in rows])
    left.set_ylabel("wall time (s), median")
    left.set_title("Side by side, transitions instant")
    tallest = max([r["peer"]["wall"] for r in rows] + [r["aews"]["wall"] for r in rows])
    left.set_ylim(0, tallest * 1.35)  # room for the legend above the bars
    left.legend(fontsize=8, loc="upper left")

    labels = ["critical path\n+ overhead", "site.yml\nmeasured", "serial sum\n+ overhead"]
    values = [aws_rows[2][1], aws_rows[3][1], aws_rows[4][1]]
    middle.bar(labels, values, color=["#5b9bd5", "#ff9900", "#999999"])
    middle.set_ylabel("wall time (s)")
    middle.set_title("AWS-like timing (AWS durations / 60)")

    counts = [r["clusters"] for r in fleets]
    right.plot(counts, [r["wall"] for r in fleets], marker="o", color="#ff9900", label="wall time (s)")
    right.set_xlabel("clusters (one host each, forks = clusters)")
    right.set_ylabel("wall time (s)")
    right.set_xticks(counts)
    right.set_title("Fleets")
    memory = right.twinx()
    memory.plot(counts, [r["peak_rss_mb"] for r in fleets], marker="s", color="#5b9bd5", label="peak memory (MB)")
    memory.set_ylabel("controller peak memory (MB)")
    right.set_ylim(bottom=0)
    memory.set_ylim(bottom=0)
    right.legend(loc="upper left", fontsize=8)
    memory.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
