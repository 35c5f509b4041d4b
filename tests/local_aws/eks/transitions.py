"""Transitions (CREATING, UPDATING, DELETING, update InProgress): events with a due time, applied lazily
before each request in due-time order; injected failures (controls' ``inject``) applied to a resource."""

from __future__ import annotations

import heapq
import secrets
import time

from .common import DEFAULT_HEALTH
from .common import _now


class Transitions:
    """Scheduling and settling transitions, and failing a resource in place."""

    def _schedule(self, resource, kind, fn):
        """Run fn(t) when the resource's transition of this kind ends; one pending transition per resource."""
        due = time.time() + self.controls.delay(kind)

        def fire(t):
            if resource.get("_pending") is not fire:
                return
            resource["_pending"] = None
            fn(round(t, 3))

        resource["_pending"] = fire
        heapq.heappush(self.events, (due, next(self.seq), fire))

    def settle(self, now=None):
        with self.lock:
            now = time.time() if now is None else now
            while self.events and self.events[0][0] <= now:
                due, _seq, fire = heapq.heappop(self.events)
                fire(due)
            for cluster in list(self.clusters.values()):
                self._refresh_addon_health(cluster)

    def apply_injection_now(self, injection):
        """An injection with "now": end the resource's current transition at once, or fail it in place."""
        with self.lock:
            self.settle()
            region_clusters = [c for (r, n), c in self.clusters.items() if n == injection["cluster"]]
            if not region_clusters:
                return False
            cluster = region_clusters[0]
            kind = injection["kind"]
            if kind == "cluster":
                resource = cluster
            elif kind == "nodegroup":
                resource = cluster["_nodegroups"].get(injection["name"])
            elif kind == "addon":
                resource = cluster["_addons"].get(injection["name"])
            else:
                resource = None
                for upd in self.updates.values():
                    if upd["_cluster"] is cluster and upd["status"] == "InProgress":
                        if injection["update_id"] and upd["id"] != injection["update_id"]:
                            continue
                        if not injection["update_id"] and (
                            upd.get("_nodegroup") != injection["nodegroup"] or upd.get("_addon") != injection["addon"]
                        ):
                            continue
                        resource = upd["_owner"]
                if resource is None:
                    return False
            if resource is None:
                return False
            if resource.get("_pending"):
                resource["_pending"](time.time())
                return True
            if kind == "update":
                return False
            # No transition under way: the resource fails where it stands.
            taken = self.controls.take_injection(kind, cluster["name"], injection["name"])
            if kind == "cluster":
                self._fail_cluster(cluster, taken, "FAILED")
            elif kind == "nodegroup":
                self._fail_nodegroup(resource, taken, "DEGRADED")
            else:
                self._fail_addon(resource, taken, "DEGRADED")
            return True

    def _fail_cluster(self, cluster, injection, default_status):
        cluster["status"] = injection.get("status") or default_status
        cluster["health"] = {"issues": injection.get("health_issues") or [dict(DEFAULT_HEALTH["cluster"])]}

    def _fail_nodegroup(self, ng, injection, default_status):
        ng["status"] = injection.get("status") or default_status
        default = dict(DEFAULT_HEALTH["nodegroup"], resourceIds=[f"i-{secrets.token_hex(8)}"])
        ng["health"] = {"issues": injection.get("health_issues") or [default]}
        ng["modifiedAt"] = _now()

    def _fail_addon(self, addon, injection, default_status):
        status = injection.get("status") or default_status
        addon["status"] = status
        key = "addon_degraded" if status == "DEGRADED" else "addon_failed"
        addon["health"] = {"issues": injection.get("health_issues") or [dict(DEFAULT_HEALTH[key])]}
        addon["modifiedAt"] = _now()
        addon["_sticky"] = True
