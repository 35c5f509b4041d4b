"""eks_nodegroup with launch_template.data: the nodegroup's launch template converged in the nodegroup's own run (made,
or given a new default version when the data differ), before the nodegroup is made or moved to it (fake AWS)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import launch_template as lt
from ansible_collections.aews.eks.plugins.module_utils._eks import nodegroup as ng
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

DATA = {
    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3"}}],
    "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
}
BIGGER = copy.deepcopy(DATA)
BIGGER["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"] = 40


class Module:
    def __init__(self, check_mode=False, diff=False, **params):
        self.check_mode = check_mode
        self._diff = diff
        self.params = dict(
            cluster_name="myeks", name="ng-1", state="present", node_role_arn="arn:aws:iam::123456789012:role/nodes",
            subnet_ids=["subnet-a"], instance_types=["t3.medium"], ami_type="AL2023_x86_64_STANDARD",
            capacity_type="ON_DEMAND", scaling={"min_size": 1, "max_size": 3, "desired_size": 2}, labels={},
            purge_labels=False, taints=[], purge_taints=False, update_config=None, disk_size=None,
            remote_access=None, version=None, release_version=None, force_update=False, node_repair=None,
            tags={"team": "data"}, purge_tags=False, wait=False, wait_timeout=60,
            launch_template={"name": "myeks-ng-1", "data": DATA, "version_description": "nodes of ng-1",
                             "tags": {"team": "data"}, "id": None, "version": None},
        )  # fmt: skip
        self.params.update(params)


class Aws:
    """The EKS and EC2 calls of the run, answered from ``nodegroup`` and ``template`` (their versions' data)."""

    def __init__(self, monkeypatch, nodegroup=None, versions=()):
        self.nodegroup = copy.deepcopy(nodegroup)
        self.versions = [copy.deepcopy(v) for v in versions]
        self.calls = []
        for module in (ng, lt):
            monkeypatch.setattr(module, "client", lambda module, service: service)
        monkeypatch.setattr(lt, "_data_shape", lambda ec2: None)
        api = ng.api
        monkeypatch.setattr(api, "describe_nodegroup", self.describe_nodegroup)
        monkeypatch.setattr(api, "describe_cluster", lambda eks, name: {"name": name, "version": "1.33"})
        monkeypatch.setattr(api, "create_nodegroup", self.create_nodegroup)
        monkeypatch.setattr(api, "update_nodegroup_version", self.update_nodegroup_version)
        monkeypatch.setattr(api, "describe_launch_templates", self.describe_launch_templates)
        monkeypatch.setattr(api, "list_launch_template_versions", self.list_launch_template_versions)
        monkeypatch.setattr(api, "describe_launch_template_versions", self.describe_launch_template_versions)
        monkeypatch.setattr(api, "create_launch_template", self.create_launch_template)
        monkeypatch.setattr(api, "create_launch_template_version", self.create_launch_template_version)
        monkeypatch.setattr(api, "set_launch_template_default_version", self.set_default)
        monkeypatch.setattr(api, "tag_launch_template", lambda ec2, template_id, tags: self.calls.append("tag"))

    def template(self):
        if not self.versions:
            return None
        return {"LaunchTemplateId": "lt-1", "LaunchTemplateName": "myeks-ng-1",
                "LatestVersionNumber": len(self.versions), "DefaultVersionNumber": self.default,
                "Tags": [{"Key": "team", "Value": "data"}]}  # fmt: skip

    default = 1

    def describe_launch_templates(self, ec2, template_id=None, name=None):
        self.calls.append("DescribeLaunchTemplates")
        return [self.template()] if self.versions else []

    def list_launch_template_versions(self, ec2, template_id):
        self.calls.append("DescribeLaunchTemplateVersions")
        return [{"VersionNumber": i + 1, "LaunchTemplateData": d} for i, d in enumerate(self.versions)]

    def describe_launch_template_versions(self, ec2, versions, template_id=None):
        self.calls.append("DescribeLaunchTemplateVersions")
        return [{"VersionNumber": int(v)} for v in versions if int(v) <= len(self.versions)]

    def create_launch_template(self, ec2, **params):
        self.calls.append("CreateLaunchTemplate")
        self.versions.append(copy.deepcopy(params["LaunchTemplateData"]))
        return self.template()

    def create_launch_template_version(self, ec2, **params):
        self.calls.append("CreateLaunchTemplateVersion")
        self.versions.append(copy.deepcopy(params["LaunchTemplateData"]))
        return {"VersionNumber": len(self.versions)}

    def set_default(self, ec2, template_id, version):
        self.calls.append(f"ModifyLaunchTemplate {version}")
        self.default = int(version)

    def describe_nodegroup(self, eks, cluster_name, name):
        self.calls.append("DescribeNodegroup")
        return copy.deepcopy(self.nodegroup)

    def create_nodegroup(self, eks, **request):
        self.calls.append(("CreateNodegroup", request["launchTemplate"]))
        self.nodegroup = {"nodegroupName": request["nodegroupName"], "clusterName": request["clusterName"],
                          "status": "CREATING", "version": "1.33", "nodeRole": request["nodeRole"],
                          "subnets": request["subnets"], "instanceTypes": request.get("instanceTypes"),
                          "amiType": request.get("amiType"), "capacityType": request.get("capacityType"),
                          "scalingConfig": request["scalingConfig"], "labels": {}, "taints": [],
                          "tags": request.get("tags") or {},
                          "launchTemplate": dict(request["launchTemplate"], name="myeks-ng-1")}  # fmt: skip
        return {"nodegroup": self.nodegroup}

    def update_nodegroup_version(self, eks, **params):
        self.calls.append(("UpdateNodegroupVersion", params["launchTemplate"]))
        return {"id": "u-1", "type": "VersionUpdate"}


def active(version):
    return {"nodegroupName": "ng-1", "clusterName": "myeks", "status": "ACTIVE", "version": "1.33",
            "nodeRole": "arn:aws:iam::123456789012:role/nodes", "subnets": ["subnet-a"],
            "instanceTypes": ["t3.medium"], "amiType": "AL2023_x86_64_STANDARD", "capacityType": "ON_DEMAND",
            "scalingConfig": {"minSize": 1, "maxSize": 3, "desiredSize": 2}, "labels": {}, "taints": [],
            "tags": {"team": "data"}, "launchTemplate": {"id": "lt-1", "name": "myeks-ng-1", "version": str(version)},
            "updateConfig": {"maxUnavailable": 1}}  # fmt: skip


def test_a_new_nodegroup_gets_its_template_made_first_in_the_same_run(monkeypatch):
    aws = Aws(monkeypatch)
    result = ng.ensure(Module())
    assert aws.calls.index("CreateLaunchTemplate") < aws.calls.index(("CreateNodegroup", {"id": "lt-1", "version": "1"}))
    assert result["changed"] is True
    # The template's changes (made, then tagged) come before the nodegroup's.
    assert [c["call"] for c in result["changes"]] == ["create_launch_template", "create_tags", "create_nodegroup"]
    assert result["launch_template"]["created"] is True and result["launch_template"]["version"] == 1
    assert result["launch_template"]["launch_template"]["id"] == "lt-1"
    assert result["nodegroup"]["launch_template"]["id"] == "lt-1"


def test_a_re_run_reads_the_template_once_and_changes_nothing(monkeypatch):
    aws = Aws(monkeypatch, nodegroup=active(1), versions=[DATA])
    result = ng.ensure(Module())
    assert result["changed"] is False and result["changes"] == []
    assert result["launch_template"]["new_version"] is False and result["launch_template"]["differences"] == []
    # The template read by the template's part of the run; the nodegroup already runs that version: no other read.
    assert aws.calls == ["DescribeNodegroup", "DescribeLaunchTemplates", "DescribeLaunchTemplateVersions"]


def test_new_data_make_a_version_the_nodegroup_is_moved_to(monkeypatch):
    aws = Aws(monkeypatch, nodegroup=active(1), versions=[DATA])
    result = ng.ensure(Module(launch_template=dict(Module().params["launch_template"], data=BIGGER)))
    assert "CreateLaunchTemplateVersion" in aws.calls and "ModifyLaunchTemplate 2" in aws.calls
    assert ("UpdateNodegroupVersion", {"id": "lt-1", "version": "2"}) in aws.calls
    assert result["launch_template"]["differences"] == ["volume_size: 30 -> 40"]
    assert [c["call"] for c in result["changes"]][-1] == "update_nodegroup_version"
    assert result["updates"] == [{"id": "u-1", "type": "VersionUpdate"}]


def test_in_check_mode_nothing_is_made_and_both_are_predicted(monkeypatch):
    aws = Aws(monkeypatch)
    result = ng.ensure(Module(check_mode=True, diff=True))
    assert not [c for c in aws.calls if not isinstance(c, str) or not c.startswith("Describe")]
    assert [c["call"] for c in result["changes"]] == ["create_launch_template", "create_tags", "create_nodegroup"]
    assert result["launch_template"]["launch_template"]["id"] is None
    # Both diffs, the template's first.
    assert [d["before_header"] for d in result["diff"]] == ["launch template", "nodegroup"]

    moved = Aws(monkeypatch, nodegroup=active(1), versions=[DATA])
    result = ng.ensure(Module(check_mode=True, launch_template=dict(Module().params["launch_template"], data=BIGGER)))
    assert [c["call"] for c in result["changes"]][-1] == "update_nodegroup_version"
    assert result["launch_template"]["version"] == 2 and result["launch_template"]["new_version"] is True
    assert all(isinstance(c, str) and c.startswith("Describe") for c in moved.calls)


@pytest.mark.parametrize("key", ["id", "version"])
def test_data_is_for_a_template_named_by_name_only(key):
    params = Module().params
    params["launch_template"] = dict(params["launch_template"], **{key: "lt-9" if key == "id" else "3"})
    with pytest.raises(EksError, match=f"launch_template.{key} cannot be given with launch_template.data"):
        ng.validate(params)
