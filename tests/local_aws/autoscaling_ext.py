"""Auto Scaling and SSM as AWS answers them for self-managed nodegroups, where moto 5.2.5 lacks or differs (patches
over moto's backends and responses, always on).

- Instance refreshes (moto lacks them): ``StartInstanceRefresh`` (``InstanceRefreshInProgress`` while one is under
  way), ``DescribeInstanceRefreshes``, ``CancelInstanceRefresh``. A refresh is ``InProgress`` for the ``update``
  delay (times ``scale``), then ``Successful``: the instances launched from another launch template version than the
  group's are then terminated and replaced by as many launched from the group's version.
- ``DisableMetricsCollection`` (moto lacks it); ``EnableMetricsCollection`` adds to the metrics already enabled, and
  no ``Metrics`` means every metric, as AWS does (moto replaced the list).
- ``UpdateAutoScalingGroup`` without a launch template or MixedInstancesPolicy keeps the group's MixedInstancesPolicy
  (moto dropped it).
- ``CreateLaunchTemplateVersion`` keeps its user data as ``CreateLaunchTemplate`` does (moto kept it as text and
  failed launching instances from the version).
- A terminated instance's primary network interface is deleted with it, as EC2 does (moto kept it ``in-use``,
  so the subnet could never be deleted).
- Each instance reports the launch template version it was launched from (moto reported the template's default
  version); a mixed group launches the first instance type of its overrides (moto used the template's, none).
- ``DeleteAutoScalingGroup`` of a group that still has instances is refused without ``ForceDelete`` (``ResourceInUse``
  "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the
  group."), as AWS does.
- A refresh can be made to fail (``fail_next_refresh``, ``POST /_aews/refresh_failure {"group": NAME, "reason":
  ..., "replaced": N}``): the group's next refresh ends ``Failed`` with that ``StatusReason`` once its time is up,
  having replaced N of the instances on another version; the reset forgets it.
- SSM: the EKS-optimized AMI parameters (``/aws/service/eks/optimized-ami/VERSION/...``,
  ``/aws/service/bottlerocket/aws-k8s-VERSION/...``, ``/aws/service/ami-windows-latest/...EKS_Optimized-VERSION``)
  exist for Kubernetes 1.28 to 1.35 (Amazon Linux 2 up to 1.32), each an AMI ID that DescribeImages knows.
"""

from __future__ import annotations

import datetime
import hashlib
import time
import uuid

_PATCHED = {}
_STATE = {"controls": None}

METRICS = (
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
    "GroupInServiceCapacity",
    "GroupPendingCapacity",
    "GroupStandbyCapacity",
    "GroupTerminatingCapacity",
    "GroupTotalCapacity",
    "WarmPoolDesiredCapacity",
    "WarmPoolWarmedCapacity",
    "WarmPoolPendingCapacity",
    "WarmPoolTerminatingCapacity",
    "WarmPoolTotalCapacity",
    "GroupAndWarmPoolDesiredCapacity",
    "GroupAndWarmPoolTotalCapacity",
)
# The Kubernetes versions whose EKS AMI parameters exist.
VERSIONS = tuple(f"1.{minor}" for minor in range(28, 36))
AL2_LAST_MINOR = 32


def _patch(cls, name, make):
    key = (cls, name)
    if key not in _PATCHED:
        _PATCHED[key] = getattr(cls, name)
        setattr(cls, name, make(_PATCHED[key]))


def _add(cls, name, func):
    if getattr(cls, name, None) is not func:
        setattr(cls, name, func)


def _refresh_seconds():
    controls = _STATE["controls"]
    return controls.delay("update") if controls is not None else 0.0


# ---------------------------------------------------------------- the group's launch template version
def _resolved_version(group):
    template = group.ec2_launch_template
    if template is None:
        return None
    version = str(getattr(group, "launch_template_version", None) or "$Default")
    if version == "$Latest":
        return str(template.latest_version().number)
    if version == "$Default":
        return str(template.default_version_number)
    return version


def _live(group):
    return [s for s in group.instance_states if s.lifecycle_state not in ("Terminating", "Terminated")]


def _settle(group):
    """End the refreshes of the group whose time is up: the instances on another version are replaced."""
    now = time.time()
    for refresh in getattr(group, "_aews_refreshes", []):
        if refresh["Status"] != "InProgress":
            continue
        if now < refresh["_ends"]:
            elapsed = now - refresh["_started"]
            total = max(refresh["_ends"] - refresh["_started"], 0.001)
            refresh["PercentageComplete"] = min(99, int(100 * elapsed / total))
            continue
        want = _resolved_version(group)
        stale = [s for s in _live(group) if getattr(s, "_aews_version", None) != want]
        failure = (_STATE.get("refresh_failures") or {}).pop(group.name, None)
        if failure is not None:
            # An injected failure (fail_next_refresh): as AWS ends a refresh whose new instances do not become
            # healthy, after replacing ``replaced`` of the stale ones.
            replaced = stale[: failure["replaced"]]
            if replaced:
                group.autoscaling_backend.ec2_backend.terminate_instances([s.instance.id for s in replaced])
                group.instance_states = [s for s in group.instance_states if s not in replaced]
                group.replace_autoscaling_group_instances(len(replaced), group.get_propagated_tags())
            done = int(100 * len(replaced) / max(len(stale), 1))
            refresh.update(Status="Failed", PercentageComplete=done, InstancesToUpdate=len(stale) - len(replaced),
                           EndTime=datetime.datetime.now(datetime.timezone.utc), StatusReason=failure["reason"])  # fmt: skip
            continue
        if stale:
            group.autoscaling_backend.ec2_backend.terminate_instances([s.instance.id for s in stale])
            group.instance_states = [s for s in group.instance_states if s not in stale]
            group.replace_autoscaling_group_instances(len(stale), group.get_propagated_tags())
        refresh.update(Status="Successful", PercentageComplete=100, InstancesToUpdate=0,
                       EndTime=datetime.datetime.now(datetime.timezone.utc), StatusReason="")  # fmt: skip


def fail_next_refresh(group, reason=None, replaced=0):
    """The next instance refresh of Auto Scaling group ``group`` ends ``Failed`` with ``reason`` once its time is up,
    having replaced ``replaced`` of the instances on another launch template version (the control
    ``POST /_aews/refresh_failure``)."""
    reason = reason or (
        "The instance refresh failed because instances were not healthy within the health check grace period."
    )
    _STATE.setdefault("refresh_failures", {})[str(group)] = {"reason": str(reason), "replaced": int(replaced)}
    return {"group": str(group), "reason": str(reason), "replaced": int(replaced)}


def reset_faults():
    _STATE["refresh_failures"] = {}


def _public(refresh):
    return {k: v for k, v in refresh.items() if not k.startswith("_")}


def install(controls=None):
    """Patch moto's Auto Scaling and SSM (idempotent); ``controls`` gives the refresh duration (``update`` delay)."""
    if controls is not None:
        _STATE["controls"] = controls
    from moto.autoscaling.exceptions import AutoscalingClientError
    from moto.autoscaling.models import AutoScalingBackend
    from moto.autoscaling.models import FakeAutoScalingGroup
    from moto.autoscaling.models import InstanceState
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.core.responses import ActionResult
    from moto.core.responses import EmptyResult

    # -- instances remember the version they were launched from; mixed groups launch their first override
    def replace_instances(original):
        def patched(self, count_needed, propagated_tags):
            before = set(id(s) for s in self.instance_states)
            result = original(self, count_needed, propagated_tags)
            version = _resolved_version(self)
            for state in self.instance_states:
                if id(state) not in before:
                    state._aews_version = version
            return result

        return patched

    _patch(FakeAutoScalingGroup, "replace_autoscaling_group_instances", replace_instances)

    # -- CreateLaunchTemplateVersion's user data as CreateLaunchTemplate's (moto kept the text, and launching from
    # such a version failed)
    from moto.ec2.models.launch_templates import LaunchTemplate
    from moto.ec2.utils import parse_user_data

    def create_version(original):
        def patched(self, data, description):
            if isinstance(data, dict) and isinstance(data.get("UserData"), str):
                data = dict(data, UserData=parse_user_data(data["UserData"]))
            return original(self, data, description)

        return patched

    _patch(LaunchTemplate, "create_version", create_version)

    # -- a terminated instance's primary network interface is deleted with it, as EC2 does (moto kept it in-use,
    # and the subnet could never be deleted)
    from moto.ec2.models.instances import Instance

    def terminate(original):
        def patched(self):
            primary = (getattr(self, "nics", None) or {}).get(0)
            if primary is not None:
                primary.delete_on_termination = True
            return original(self)

        return patched

    _patch(Instance, "terminate", terminate)

    def launch_template_of_instance(self):
        group = self.auto_scaling_group
        if group is None or group.ec2_launch_template is None:
            return None
        return {
            "LaunchTemplateId": group.ec2_launch_template.id,
            "LaunchTemplateName": group.ec2_launch_template.name,
            "Version": getattr(self, "_aews_version", None) or str(group.ec2_launch_template.default_version_number),
        }

    InstanceState.launch_template = property(launch_template_of_instance)

    original_type = _PATCHED.setdefault((FakeAutoScalingGroup, "instance_type"), FakeAutoScalingGroup.instance_type)

    def instance_type(self):
        overrides = ((self.mixed_instances_policy or {}).get("LaunchTemplate") or {}).get("Overrides") or []
        if overrides and overrides[0].get("InstanceType"):
            return overrides[0]["InstanceType"]
        return original_type.fget(self)

    FakeAutoScalingGroup.instance_type = property(instance_type)

    # -- UpdateAutoScalingGroup keeps the MixedInstancesPolicy it is not given
    def update(original):
        def patched(self, *args, **kwargs):
            if (
                not kwargs.get("mixed_instances_policy")
                and not kwargs.get("launch_template")
                and not kwargs.get("launch_config_name")
            ):
                kept = self.mixed_instances_policy
                result = original(self, *args, **kwargs)
                self.mixed_instances_policy = kept
                return result
            return original(self, *args, **kwargs)

        return patched

    _patch(FakeAutoScalingGroup, "update", update)

    # -- DeleteAutoScalingGroup refused while instances remain (unless ForceDelete)
    def delete_group(original):
        def patched(self):
            name = self._get_param("AutoScalingGroupName")
            group = self.autoscaling_backend.autoscaling_groups.get(name)
            force = str(self._get_param("ForceDelete") or "false").lower() == "true"
            if group is not None and _live(group) and not force:
                raise AutoscalingClientError(
                    "ResourceInUse",
                    "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance "
                    "request(s) still in the group.",
                )
            return original(self)

        return patched

    _patch(AutoScalingResponse, "delete_auto_scaling_group", delete_group)

    # -- metrics: Enable adds, Disable removes; none named means all
    def enable_metrics_collection(self):
        group = self.autoscaling_backend.describe_auto_scaling_groups([self._get_param("AutoScalingGroupName")])[0]
        metrics = self._get_param("Metrics") or list(METRICS)
        group.metrics = sorted(set(group.metrics or []) | set(metrics))
        return EmptyResult()

    def disable_metrics_collection(self):
        group = self.autoscaling_backend.describe_auto_scaling_groups([self._get_param("AutoScalingGroupName")])[0]
        metrics = self._get_param("Metrics") or list(METRICS)
        group.metrics = [m for m in group.metrics or [] if m not in metrics]
        return EmptyResult()

    _add(AutoScalingResponse, "enable_metrics_collection", enable_metrics_collection)
    _add(AutoScalingResponse, "disable_metrics_collection", disable_metrics_collection)

    # -- instance refreshes
    def _group(self):
        name = self._get_param("AutoScalingGroupName")
        group = self.autoscaling_backend.autoscaling_groups.get(name)
        if group is None:
            raise AutoscalingClientError("ValidationError", f"AutoScalingGroup name not found - {name}")
        _settle(group)
        return group

    def start_instance_refresh(self):
        group = _group(self)
        refreshes = group.__dict__.setdefault("_aews_refreshes", [])
        if any(r["Status"] in ("Pending", "InProgress", "Cancelling") for r in refreshes):
            raise AutoscalingClientError(
                "InstanceRefreshInProgress",
                "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.",
            )
        params = self._get_params()
        preferences = params.get("Preferences") or {}
        if "MinHealthyPercentage" in preferences:
            preferences["MinHealthyPercentage"] = int(preferences["MinHealthyPercentage"])
        started = time.time()
        refresh = {
            "InstanceRefreshId": str(uuid.uuid4()),
            "AutoScalingGroupName": group.name,
            "Status": "InProgress",
            "StatusReason": "",
            "StartTime": datetime.datetime.now(datetime.timezone.utc),
            "PercentageComplete": 0,
            "InstancesToUpdate": len(_live(group)),
            "Preferences": {"MinHealthyPercentage": preferences.get("MinHealthyPercentage", 90),
                            "SkipMatching": str(preferences.get("SkipMatching", "false")).lower() == "true"},
            "Strategy": params.get("Strategy") or "Rolling",
            "_started": started,
            "_ends": started + _refresh_seconds(),
        }  # fmt: skip
        refreshes.insert(0, refresh)
        _settle(group)
        return ActionResult({"InstanceRefreshId": refresh["InstanceRefreshId"]})

    def describe_instance_refreshes(self):
        group = _group(self)
        ids = self._get_param("InstanceRefreshIds") or []
        found = [_public(r) for r in getattr(group, "_aews_refreshes", []) if not ids or r["InstanceRefreshId"] in ids]
        return ActionResult({"InstanceRefreshes": found})

    def cancel_instance_refresh(self):
        group = _group(self)
        running = [r for r in getattr(group, "_aews_refreshes", []) if r["Status"] in ("Pending", "InProgress")]
        if not running:
            raise AutoscalingClientError("ActiveInstanceRefreshNotFound", "No in progress or pending Instance Refresh "
                                         f"found for Auto Scaling group {group.name}")  # fmt: skip
        running[0].update(Status="Cancelled", EndTime=datetime.datetime.now(datetime.timezone.utc))
        return ActionResult({"InstanceRefreshId": running[0]["InstanceRefreshId"]})

    _add(AutoScalingResponse, "start_instance_refresh", start_instance_refresh)
    _add(AutoScalingResponse, "describe_instance_refreshes", describe_instance_refreshes)
    _add(AutoScalingResponse, "cancel_instance_refresh", cancel_instance_refresh)

    # A group's refreshes end on any read of it.
    def describe_groups(original):
        def patched(self, names, filters=None):
            groups = original(self, names, filters=filters)
            for group in groups:
                _settle(group)
            return groups

        return patched

    _patch(AutoScalingBackend, "describe_auto_scaling_groups", describe_groups)

    _install_ssm()


# ---------------------------------------------------------------- SSM: the EKS AMI parameters
def ami_id(parameter):
    """A stable AMI ID per parameter."""
    return "ami-" + hashlib.sha256(parameter.encode()).hexdigest()[:17]


def eks_ami_parameters():
    """Every EKS AMI parameter the endpoint answers, with its AMI's name."""
    found = {}
    for version in VERSIONS:
        minor = int(version.split(".")[1])
        for arch in ("x86_64", "arm64"):
            for flavour in ("standard", "nvidia"):
                path = (
                    f"/aws/service/eks/optimized-ami/{version}/amazon-linux-2023/{arch}/{flavour}/recommended/image_id"
                )
                found[path] = f"amazon-eks-node-al2023-{arch}-{flavour}-{version}-v20261101"
            found[f"/aws/service/bottlerocket/aws-k8s-{version}/{arch}/latest/image_id"] = (
                f"bottlerocket-aws-k8s-{version}-{arch}-v1.40.0"
            )
            found[f"/aws/service/bottlerocket/aws-k8s-{version}-nvidia/{arch}/latest/image_id"] = (
                f"bottlerocket-aws-k8s-{version}-nvidia-{arch}-v1.40.0"
            )
        if minor <= AL2_LAST_MINOR:
            for name in ("amazon-linux-2", "amazon-linux-2-arm64", "amazon-linux-2-gpu"):
                found[f"/aws/service/eks/optimized-ami/{version}/{name}/recommended/image_id"] = (
                    f"{name.replace('amazon-linux-2', 'amazon-eks-node')}-{version}-v20261101"
                )
        for year in ("2019", "2022"):
            for edition in ("Core", "Full"):
                name = f"Windows_Server-{year}-English-{edition}-EKS_Optimized-{version}"
                found[f"/aws/service/ami-windows-latest/{name}/image_id"] = f"{name}-2026.11.01"
    return found


def _install_ssm():
    from moto.ssm.models import Parameter
    from moto.ssm.models import ParameterDict

    prefixes = ("/aws/service/eks/", "/aws/service/bottlerocket/", "/aws/service/ami-windows-latest/")

    def check_loading_status(original):
        def patched(self, key):
            original(self, key)
            key = str(key or "")
            if key.startswith(prefixes) or key in ("/", "/aws", "/aws/service"):
                if not getattr(self, "_aews_eks_amis_loaded", False):
                    self._aews_eks_amis_loaded = True
                    _load_eks_amis(self, Parameter)

        return patched

    _patch(ParameterDict, "_check_loading_status", check_loading_status)


def _load_eks_amis(params, parameter_class):
    from moto.core.utils import utcnow
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[params.account_id][params.region_name]
    for path, ami_name in eks_ami_parameters().items():
        image = ami_id(path)
        dict.__getitem__(params, path).append(
            parameter_class(
                account_id=params.account_id,
                name=path,
                value=image,
                parameter_type="String",
                description=None,
                allowed_pattern=None,
                keyid=None,
                last_modified_date=utcnow(),
                version=1,
                data_type="aws:ec2:image",
            )
        )
        if image not in ec2.amis:
            _register_ami(ec2, image, ami_name, "arm64" if "arm64" in path else "x86_64",
                          "windows" if "windows" in path else None)  # fmt: skip


def _register_ami(ec2, image, name, arch, platform):
    from moto.ec2.models.amis import Ami

    ec2.amis[image] = Ami(
        ec2,
        ami_id=image,
        name=name,
        description=f"EKS-optimized image {name}",
        owner_id="602401143452",
        architecture=arch,
        platform=platform,
        virtualization_type="hvm",
        root_device_name="/dev/xvda",
        root_device_type="ebs",
        state="available",
        public=True,
    )
