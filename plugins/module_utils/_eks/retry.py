# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retries of AWS calls: throttling and 5xx faults, IAM propagation, EC2's read-after-create lag.

Botocore retries throttling itself (E(AWS_RETRY_MODE), E(AWS_MAX_ATTEMPTS)); the backoff here comes on top of
it for every call of the collection, and also covers the codes botocore's legacy mode does not know. The
classification of errors is in ``errors`` (pure); the loops here only sleep and call again.

Every wrapper of ``api`` is decorated with ``aws_call``, ``aws_describe`` or ``aws_delete``: each attaches the
jittered backoff to the wrapper (the whole wrapper is called again, all pages of a listing included) inside
amazon.aws's error handler, which turns what is left into ``EksError``. ``aws_describe`` and ``aws_delete`` also
take the codes that mean "not there" for the wrapper's resource (``vocabulary.MISSING_CODES``).
"""

from __future__ import annotations

import functools
import os
import random
import time

from .errors import EksErrorHandler
from .errors import error_code
from .errors import is_dependency
from .errors import is_iam_propagation
from .errors import is_not_found_lag
from .errors import is_transient
from .vocabulary import missing_codes

try:
    from botocore.exceptions import ClientError
except ImportError:
    ClientError = Exception  # AnsibleAWSModule reports a missing botocore.

# The default of the modules' iam_propagation_timeout option: as Terraform's AWS provider waits for IAM.
IAM_PROPAGATION_TIMEOUT = 120
# Seconds between the attempts of a create that IAM propagation refused, and the most a NotFound lag is waited.
PROPAGATION_DELAY = 5
NOT_FOUND_LAG_TIMEOUT = 30


def backoff_delays(retries=10, delay=1.0, max_delay=20.0):
    """The upper bounds of the jittered pauses between attempts (full jitter, exponential, capped)."""
    return [min(max_delay, delay * 2**attempt) for attempt in range(retries)]


def transient_backoff(retries=10, delay=1.0, max_delay=20.0):
    """A decorator retrying a call that failed with throttling or a 5xx fault, with jittered backoff."""
    bounds = backoff_delays(retries, delay, max_delay)

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for bound in bounds:
                try:
                    return func(*args, **kwargs)
                except ClientError as e:
                    if not is_transient(e):
                        raise
                    time.sleep(random.uniform(bound / 2, bound))
            return func(*args, **kwargs)

        return wrapper

    return decorator


# The backoff of every AWS call of the collection (the pause bounds double from 1 s up to 20 s, ten retries).
BACKOFF = dict(retries=10, delay=1.0, max_delay=20.0)
# The attribute that marks a function as retried (kept by functools.wraps through the error handlers).
RETRIED = "aews_eks_retried"


def retried(func):
    """``func`` with the collection's backoff on throttling and 5xx faults, marked as retried."""
    wrapper = transient_backoff(**BACKOFF)(func)
    setattr(wrapper, RETRIED, True)
    return wrapper


def is_retried(func):
    return bool(getattr(func, RETRIED, False))


def service_name(client):
    """The AWS service of a client made by ``common.client`` or of a plain boto3 client (None when unknown)."""
    plain = getattr(client, "client", client)
    try:
        return plain.meta.service_model.service_name
    except AttributeError:
        return None


def aws_call(description):
    """Decorator of an ``api`` wrapper: retried on throttling and faults; errors become EksError("Failed to ...")."""
    handler = EksErrorHandler.common_error_handler(description)

    def decorator(func):
        return handler(retried(func))

    return decorator


def _missing_as(value, description, missing):
    def decorator(func):
        inner = retried(func)

        @functools.wraps(inner)
        def wrapper(client, *args, **kwargs):
            try:
                return inner(client, *args, **kwargs)
            except ClientError as e:
                if error_code(e) in missing_codes(missing, service_name(client)):
                    return value() if callable(value) else value
                raise

        return EksErrorHandler.common_error_handler(description)(wrapper)

    return decorator


def aws_describe(description, default_value=None, missing=None):
    """Decorator of a describe/list wrapper: as ``aws_call``, and ``default_value`` when the resource is not there.

    ``missing`` names the resource (a key of ``vocabulary.MISSING_CODES``) whose codes mean "not there"; by
    default those of the client's service.
    """
    if isinstance(default_value, list):
        return _missing_as(functools.partial(list, default_value), description, missing)
    return _missing_as(default_value, description, missing)


def aws_delete(description, missing=None):
    """Decorator of a delete wrapper: as ``aws_call``, and False when the resource was already gone."""
    return _missing_as(False, description, missing)


class Retrying:
    """Calls that are retried while an error matches ``accept`` for at most ``timeout`` seconds.

    ``notes`` collects one line per wait (what was refused and why it waited), for the module's output. With
    ``first_delay`` the pauses start there and double up to ``delay``; else each is ``delay``.
    """

    def __init__(self, accept, timeout, delay, reason, first_delay=None):
        self.accept = accept
        self.timeout = timeout
        self.delay = delay
        self.first_delay = first_delay
        self.reason = reason
        self.notes = []

    def pause(self, attempt):
        """The pause after the ``attempt``-th refusal (1 for the first)."""
        if not self.first_delay:
            return self.delay
        return min(self.delay, self.first_delay * 2 ** (attempt - 1))

    def call(self, what, func, *args, **kwargs):
        started = time.monotonic()
        deadline = started + max(0, self.timeout or 0)
        attempts = 0
        while True:
            try:
                value = func(*args, **kwargs)
            except Exception as e:  # pylint: disable=broad-exception-caught
                pause = self.pause(attempts + 1)
                if not self.accept(e) or time.monotonic() + pause > deadline:
                    if attempts:
                        self.notes.append(f"{what}: gave up after {attempts + 1} attempts ({self.reason})")
                    raise
                attempts += 1
                time.sleep(pause)
                continue
            if attempts:
                waited = int(round(time.monotonic() - started))
                self.notes.append(f"{what}: waited {waited}s over {attempts + 1} attempts ({self.reason})")
            return value


def _delay(default):
    """AEWS_EKS_WAIT_DELAY, which sets the pause of every wait, sets these too (the local endpoint is fast)."""
    override = os.environ.get("AEWS_EKS_WAIT_DELAY")
    return max(float(override), 0.1) if override else default


def iam_propagation(timeout=IAM_PROPAGATION_TIMEOUT, delay=None):
    delay = _delay(PROPAGATION_DELAY) if delay is None else delay
    return Retrying(
        is_iam_propagation,
        timeout,
        delay,
        "IAM had not yet propagated the role, its trust or policies, or the OIDC provider it trusts",
    )


def not_found_lag(timeout=NOT_FOUND_LAG_TIMEOUT, delay=None):
    """EC2's read-after-create lag is mostly well under a second: the pauses start at an eighth of ``delay`` (0.25 s)
    and double up to it (2 s), so a call refused once goes on at once and a long lag is not polled fast."""
    delay = _delay(2) if delay is None else delay
    return Retrying(
        is_not_found_lag, timeout, delay, "EC2 did not yet know an id it had just handed out", first_delay=delay / 8
    )


# The default of the modules' dependency_timeout option, and the seconds between the attempts of such a delete.
DEPENDENCY_TIMEOUT = 300
DEPENDENCY_DELAY = 10


def dependency(timeout=DEPENDENCY_TIMEOUT, delay=None):
    """Deletes refused with DependencyViolation, tried again until ``timeout``: what held the resource (network
    interfaces of nodes just terminated) goes by itself."""
    delay = _delay(DEPENDENCY_DELAY) if delay is None else delay
    return Retrying(is_dependency, timeout, delay, "something still used it (DependencyViolation)")
