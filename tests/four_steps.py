"""The four steps a functional test puts a change through: check -> apply -> check (no change) -> apply (no change)."""

from __future__ import annotations

from module_runner import run_module


def same_as_applied(checked, applied, again, final):
    """Both no-change runs return exactly what the apply returned."""
    assert final == applied
    assert again == applied


def predicted(*fields):
    """A comparison: the check run predicted these fields of what the apply returned."""

    def compare(checked, applied, again, final):
        for field in fields:
            assert checked.get(field) == applied.get(field), field

    return compare


def four_steps(module, key, params, compare=same_as_applied, aws_calls=None, reads=None, local_aws=None, diff=False):
    """Run ``module`` with ``params`` in the four steps; returns (checked, applied, final) results.

    ``compare(checked, applied, again, final)`` is given the results' ``key``. No run but the first apply may make
    a mutating call: in this process (``aws_calls``, which must see the check run call ``reads``, a (service,
    operation)), and as the endpoint ``local_aws`` logged it. ``diff``: the no-change runs ask for a diff too.
    """
    start = _watch(aws_calls, local_aws)
    checked = run_module(module, params, check_mode=True, diff=True)
    if reads is not None:
        assert reads in aws_calls.calls  # the recorder sees the module's calls
    _assert_no_mutation(aws_calls, local_aws, start)
    assert checked["changed"] is True
    applied = run_module(module, params, diff=True)
    assert applied["changed"] is True
    if aws_calls is not None:
        assert aws_calls.mutating() != []
    start = _watch(aws_calls, local_aws)
    again = run_module(module, params, check_mode=True, diff=diff)
    _assert_no_mutation(aws_calls, local_aws, start)
    assert again["changed"] is False, again.get("changes", again)
    final = run_module(module, params, diff=diff)
    assert final["changed"] is False, final.get("changes", final)
    _assert_no_mutation(aws_calls, local_aws, start)
    compare(checked[key], applied[key], again[key], final[key])
    return checked, applied, final


def _watch(aws_calls, local_aws):
    """Forget the calls recorded so far; the length of the endpoint's log of mutating requests."""
    if aws_calls is not None:
        aws_calls.clear()
    return len(local_aws.requests(mutating=True)) if local_aws is not None else 0


def _assert_no_mutation(aws_calls, local_aws, start):
    if aws_calls is not None:
        assert aws_calls.mutating() == []
    if local_aws is not None:
        assert [r["operation"] for r in local_aws.requests(mutating=True)[start:]] == []
