#!/usr/bin/env python
"""Where a no-op re-run of site.yml spends its time: the seed converged once, then re-run with profile_tasks.

  .venv/bin/python bench/profile.py [--runs N] [--check] [--aws-like]

Starts the local endpoint (transitions instant), converges the seed (examples/seed-cluster.yml), re-runs it RUNS
times (each: wall time, AWS calls, mutating calls, changed, CPU seconds) and prints the slowest tasks of the last
re-run and its AWS calls by operation. A quick figure for one change; `make bench` is the measurement.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from bench import report, run  # noqa: E402


def timed(endpoint, title, args, env, log_dir):
    """run.measured, plus the CPU seconds the run's processes used (user + system, a figure a busy machine changes
    less than the wall time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run.measured(endpoint, title, args, env, log_dir)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def line(result):
    return f"{run.fmt(result)}, {result['cpu']:.1f} CPU s"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--check", action="store_true", help="also time a --check --diff re-run")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--aws-like",
        action="store_true",
        help="the endpoint's realistic profile with AWS's durations / 60 (make bench's)",
    )
    options = parser.parse_args(argv)
    port = run.demo.free_port()
    url = f"http://127.0.0.1:{port}"
    log_dir = ROOT / "tests" / "output" / "profile"
    log_dir.mkdir(parents=True, exist_ok=True)
    process = run.demo.start_endpoint(port, log_dir / "local-aws.log")
    try:
        endpoint = run.Endpoint(url)
        if options.aws_like:
            endpoint.reset(profile="realistic", seed=1, scale=run.SCALE, delays=run.AWS_DELAYS,
                           nat_gateway=run.AWS_NAT_GATEWAY)  # fmt: skip
        else:
            endpoint.reset(profile="ideal", scale=0)
        env = run.base_env(url)
        with tempfile.TemporaryDirectory(prefix="aews-eks-profile-") as tmp:
            key = run.demo.throwaway_key(tmp)
            definition = run.demo.seed_definition(tmp, key)
            site = [str(ROOT / "site.yml"), "-e", f"@{definition}", "-e", "aews_eks_poll_delay=1"]
            first = timed(endpoint, "converge", site, env, log_dir)
            print(f"converge: {line(first)}")
            if options.aws_like:
                print(report.hot_spot_table(report.profile_tasks(first["output"], top=options.top)))
            last = calls = None
            for n in range(1, options.runs + 1):
                last = timed(endpoint, f"noop-{n}", site, env, log_dir)
                print(f"no-op {n}: {line(last)}")
                calls = endpoint.call("GET", "/_aews/requests")["requests"]
            if options.check:
                check = timed(endpoint, "check", site + ["--check", "--diff"], env, log_dir)
                print(f"check: {line(check)}")
            tasks = [line for line in last["output"].splitlines() if "TASK [" in line]
            print(f"tasks started in the last no-op: {len(tasks)}")
            if calls is not None:
                print(f"AWS calls of the last no-op by operation ({len(calls)}):")
                for (service, operation), count in Counter(
                    (c.get("service"), c.get("operation")) for c in calls
                ).most_common():
                    print(f"  {count:3d} {service}:{operation}")
            print(report.hot_spot_table(report.profile_tasks(last["output"], top=options.top)))
    finally:
        process.terminate()
        process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
