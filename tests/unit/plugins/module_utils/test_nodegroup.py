"""The pure parts of the nodegroup logic: validation, build, compare and prediction."""

from __future__ import annotations

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import nodegroup as ng
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

CURRENT = {
    "nodegroupName": "ng-1",
    "clusterName": "myeks",
    "nodegroupArn": "arn:aws:eks:ap-northeast-2:123456789012:nodegroup/myeks/ng-1/abc",
    "status": "ACTIVE",
    "version": "1.30",
    "releaseVersion": "1.30.4-20241024",
    "nodeRole": "arn:aws:iam::123456789012:role/node",
    "subnets": ["subnet-a", "subnet-b"],
    "instanceTypes": ["m5.large", "m5a.large"],
    "amiType": "AL2023_x86_64_STANDARD",
    "capacityType": "ON_DEMAND",
    "diskSize": 80,
    "scalingConfig": {"minSize": 2, "maxSize": 6, "desiredSize": 4},
    "labels": {"role": "general", "alpha.eksctl.io/cluster-name": "myeks"},
    "taints": [{"key": "dedicated", "value": "general", "effect": "NO_SCHEDULE"}],
    "updateConfig": {"maxUnavailable": 1},
    "tags": {"team": "platform"},
}


def params(**overrides):
    base = dict(
        cluster_name="myeks",
        name="ng-1",
        state="present",
        node_role_arn=None,
        subnet_ids=None,
        instance_types=None,
        ami_type=None,
        capacity_type=None,
        scaling=None,
        disk_size=None,
        labels=None,
        purge_labels=False,
        taints=None,
        purge_taints=False,
        update_config=None,
        launch_template=None,
        remote_access=None,
        version=None,
        release_version=None,
        force_update=False,
        node_repair=None,
        tags=None,
        purge_tags=True,
        wait=True,
        wait_timeout=1200,
    )
    base.update(overrides)
    return base


def want(launch_template=None, **overrides):
    """The desired nodegroup of ``params(**overrides)`` with the launch template as resolved."""
    return ng.build_desired(params(**overrides), launch_template)


# ---------------------------------------------------------------- labels
@pytest.mark.parametrize(
    "desired, purge, expected",
    [
        (None, True, None),
        ({"role": "general"}, False, None),
        ({"role": "general", "alpha.eksctl.io/cluster-name": "myeks"}, True, None),
        ({"role": "batch"}, False, {"addOrUpdateLabels": {"role": "batch"}}),
        ({"role": "general", "tier": "1"}, False, {"addOrUpdateLabels": {"tier": "1"}}),
        ({"role": "general"}, True, {"removeLabels": ["alpha.eksctl.io/cluster-name"]}),
        ({}, False, None),
        ({}, True, {"removeLabels": ["alpha.eksctl.io/cluster-name", "role"]}),
        (
            {"role": "gpu", "tier": 2},
            True,
            {"addOrUpdateLabels": {"role": "gpu", "tier": "2"}, "removeLabels": ["alpha.eksctl.io/cluster-name"]},
        ),
    ],
    ids=[
        "not-given",
        "equal-subset-kept",
        "equal-purge",
        "value-change",
        "add",
        "purge-extra",
        "empty-no-purge",
        "empty-purge",
        "change-add-purge",
    ],
)
def test_label_changes(desired, purge, expected):
    assert ng.label_changes(CURRENT["labels"], desired, purge) == expected


# ---------------------------------------------------------------- taints
T_DED = {"key": "dedicated", "value": "general", "effect": "NO_SCHEDULE"}


@pytest.mark.parametrize(
    "current, desired, purge, expected",
    [
        ([T_DED], None, True, None),
        ([T_DED], [T_DED], False, None),
        ([T_DED], [T_DED], True, None),
        ([T_DED], [], False, None),
        ([T_DED], [], True, {"removeTaints": [{"key": "dedicated", "effect": "NO_SCHEDULE"}]}),
        (
            [T_DED],
            [{"key": "dedicated", "value": "batch", "effect": "NO_SCHEDULE"}],
            True,
            {"addOrUpdateTaints": [{"key": "dedicated", "value": "batch", "effect": "NO_SCHEDULE"}]},
        ),
        # Same key, another effect: a different taint for EKS.
        (
            [T_DED],
            [{"key": "dedicated", "value": "general", "effect": "NO_EXECUTE"}],
            True,
            {
                "addOrUpdateTaints": [{"key": "dedicated", "value": "general", "effect": "NO_EXECUTE"}],
                "removeTaints": [{"key": "dedicated", "effect": "NO_SCHEDULE"}],
            },
        ),
        (
            [T_DED],
            [{"key": "dedicated", "value": "general", "effect": "NO_EXECUTE"}],
            False,
            {"addOrUpdateTaints": [{"key": "dedicated", "value": "general", "effect": "NO_EXECUTE"}]},
        ),
        (
            [],
            [{"key": "gpu", "effect": "NO_SCHEDULE"}],
            False,
            {"addOrUpdateTaints": [{"key": "gpu", "effect": "NO_SCHEDULE"}]},
        ),
        # No value on either side: equal.
        ([{"key": "gpu", "effect": "NO_SCHEDULE"}], [{"key": "gpu", "effect": "NO_SCHEDULE"}], True, None),
        (None, [T_DED], False, {"addOrUpdateTaints": [T_DED]}),
    ],
    ids=[
        "not-given",
        "equal",
        "equal-purge",
        "empty-no-purge",
        "remove",
        "value-change",
        "effect-change-purge",
        "effect-change-keep",
        "add-no-value",
        "no-value-equal",
        "from-none",
    ],
)
def test_taint_changes(current, desired, purge, expected):
    assert ng.taint_changes(current, desired, purge) == expected


def test_normalize_taints_maps_kubernetes_effects_and_drops_empty_values():
    assert ng.normalize_taints(
        [{"key": "a", "value": "", "effect": "NoSchedule"}, {"key": "b", "value": 1, "effect": "PreferNoSchedule"}]
    ) == [
        {"key": "a", "effect": "NO_SCHEDULE"},
        {"key": "b", "value": "1", "effect": "PREFER_NO_SCHEDULE"},
    ]


@pytest.mark.parametrize(
    "taints, message",
    [
        ([{"key": "a", "effect": "NO_SCHEDULE"}, {"key": "a", "effect": "NoSchedule"}], "given twice"),
        ([{"key": "a", "effect": "Sometimes"}], "taints[0].effect must be one of"),
        ([{"key": "", "effect": "NO_SCHEDULE"}], "taints[0].key is required"),
    ],
)
def test_normalize_taints_rejects(taints, message):
    with pytest.raises(EksError, match=message.replace("[", r"\[").replace("]", r"\]")):
        ng.normalize_taints(taints)


# ---------------------------------------------------------------- scaling
SCALING = {"minSize": 2, "maxSize": 6, "desiredSize": 4}


@pytest.mark.parametrize(
    "desired, expected",
    [
        (None, None),
        ({"min": None, "max": None, "desired": None}, None),
        ({"min": 2, "max": 6, "desired": 4}, None),
        ({"min": 2, "max": 6, "desired": None}, None),
        ({"min": None, "max": 10, "desired": None}, {"minSize": 2, "maxSize": 10}),
        ({"min": 1, "max": None, "desired": None}, {"minSize": 1, "maxSize": 6}),
        ({"min": None, "max": None, "desired": 5}, {"minSize": 2, "maxSize": 6, "desiredSize": 5}),
        ({"min": 0, "max": 3, "desired": 0}, {"minSize": 0, "maxSize": 3, "desiredSize": 0}),
    ],
    ids=["not-given", "all-none", "equal", "equal-no-desired", "max", "min", "desired", "all"],
)
def test_scaling_change(desired, expected):
    assert ng.scaling_change(SCALING, desired) == expected


@pytest.mark.parametrize(
    "desired, message",
    [
        ({"min": None, "max": 3, "desired": None}, "current desired size 4 is outside the new range 2..3"),
        ({"min": 5, "max": None, "desired": None}, "current desired size 4 is outside the new range 5..6"),
        ({"min": None, "max": None, "desired": 7}, r"scaling.desired \(7\) must not be greater than scaling.max \(6\)"),
        ({"min": 7, "max": None, "desired": 7}, r"scaling.min \(7\) must not be greater than scaling.max \(6\)"),
    ],
)
def test_scaling_change_rejects_out_of_range(desired, message):
    with pytest.raises(EksError, match=message):
        ng.scaling_change(SCALING, desired)


# ---------------------------------------------------------------- update config, node repair
@pytest.mark.parametrize(
    "current, desired, expected",
    [
        ({"maxUnavailable": 1}, None, None),
        ({"maxUnavailable": 1}, {"max_unavailable": 1, "max_unavailable_percentage": None}, None),
        ({"maxUnavailable": 1}, {"max_unavailable": 2, "max_unavailable_percentage": None}, {"maxUnavailable": 2}),
        (
            {"maxUnavailable": 1},
            {"max_unavailable": None, "max_unavailable_percentage": 25},
            {"maxUnavailablePercentage": 25},
        ),
        (None, {"max_unavailable": 1, "max_unavailable_percentage": None}, {"maxUnavailable": 1}),
    ],
    ids=["not-given", "equal", "number", "percentage", "from-none"],
)
def test_update_config_change(current, desired, expected):
    assert ng.update_config_change(current, desired) == expected


@pytest.mark.parametrize(
    "current, desired, expected",
    [
        (None, None, None),
        (None, False, None),
        ({"enabled": False}, False, None),
        ({"enabled": True}, True, None),
        (None, True, {"enabled": True}),
        ({"enabled": True}, False, {"enabled": False}),
    ],
)
def test_node_repair_change(current, desired, expected):
    assert ng.node_repair_change(current, desired) == expected


# ---------------------------------------------------------------- config and version plans
def test_config_changes_nothing_given_is_no_change():
    assert ng.config_changes(CURRENT, want()) == {}


def test_config_changes_equal_values_are_no_change():
    p = params(
        labels={"role": "general"},
        taints=[{"key": "dedicated", "value": "general", "effect": "NoSchedule"}],
        scaling={"min": 2, "max": 6, "desired": None},
        update_config={"max_unavailable": 1, "max_unavailable_percentage": None},
    )
    assert ng.config_changes(CURRENT, ng.build_desired(p)) == {}


def test_config_changes_collects_every_attribute():
    p = params(
        labels={"role": "batch"},
        taints=[],
        purge_taints=True,
        scaling={"min": None, "max": 8, "desired": None},
        update_config={"max_unavailable": None, "max_unavailable_percentage": 50},
        node_repair=True,
    )
    assert ng.config_changes(CURRENT, ng.build_desired(p)) == {
        "labels": {"addOrUpdateLabels": {"role": "batch"}},
        "taints": {"removeTaints": [{"key": "dedicated", "effect": "NO_SCHEDULE"}]},
        "scalingConfig": {"minSize": 2, "maxSize": 8},
        "updateConfig": {"maxUnavailablePercentage": 50},
        "nodeRepairConfig": {"enabled": True},
    }


LT_CURRENT = dict(CURRENT, launchTemplate={"id": "lt-1", "name": "tmpl", "version": "3"})


@pytest.mark.parametrize(
    "current, overrides, launch_template, expected",
    [
        (CURRENT, {}, None, {}),
        (CURRENT, {"version": "1.30", "release_version": "1.30.4-20241024"}, None, {}),
        (CURRENT, {"version": "1.31"}, None, {"version": "1.31"}),
        (CURRENT, {"version": "1.31", "force_update": True}, None, {"version": "1.31", "force": True}),
        (CURRENT, {"release_version": "1.30.6-20241109"}, None, {"releaseVersion": "1.30.6-20241109"}),
        (LT_CURRENT, {}, {"id": "lt-1", "name": "tmpl", "version": "3"}, {}),
        (LT_CURRENT, {}, {"id": "lt-1", "name": "tmpl", "version": None}, {}),
        (
            LT_CURRENT,
            {},
            {"id": "lt-1", "name": "tmpl", "version": "4"},
            {"launchTemplate": {"id": "lt-1", "version": "4"}},
        ),
        (
            dict(LT_CURRENT, launchTemplate={"id": "lt-1", "name": "tmpl", "version": 3}),
            {},
            {"id": "lt-1", "name": "tmpl", "version": "3"},
            {},
        ),
    ],
    ids=["nothing", "equal", "version", "force", "release", "lt-equal", "lt-unset", "lt-version", "lt-int-equal"],
)
def test_version_changes(current, overrides, launch_template, expected):
    assert ng.version_changes(current, want(launch_template, **overrides)) == expected


# ---------------------------------------------------------------- immutables
def test_immutable_differences_none_when_equal_or_not_given():
    assert ng.immutable_differences(CURRENT, want()) == []
    same = params(
        node_role_arn=CURRENT["nodeRole"],
        subnet_ids=["subnet-b", "subnet-a"],
        instance_types=["m5a.large", "m5.large"],
        ami_type="AL2023_x86_64_STANDARD",
        capacity_type="ON_DEMAND",
        disk_size=80,
    )
    assert ng.immutable_differences(CURRENT, ng.build_desired(same)) == []


@pytest.mark.parametrize(
    "overrides, launch_template, name",
    [
        ({"node_role_arn": "arn:aws:iam::123456789012:role/other"}, None, "node_role_arn"),
        ({"subnet_ids": ["subnet-a"]}, None, "subnet_ids"),
        ({"instance_types": ["c5.large"]}, None, "instance_types"),
        ({"ami_type": "BOTTLEROCKET_x86_64"}, None, "ami_type"),
        ({"capacity_type": "SPOT"}, None, "capacity_type"),
        ({"disk_size": 100}, None, "disk_size"),
        (
            {"remote_access": {"ec2_ssh_key": "mykey", "source_security_groups": None}},
            None,
            "remote_access.ec2_ssh_key",
        ),
        (
            {"remote_access": {"ec2_ssh_key": None, "source_security_groups": ["sg-1"]}},
            None,
            "remote_access.source_security_groups",
        ),
        ({}, {"id": "lt-9", "name": "other", "version": None}, "launch_template"),
    ],
)
def test_immutable_differences_names_each(overrides, launch_template, name):
    found = ng.immutable_differences(CURRENT, want(launch_template, **overrides))
    assert len(found) == 1 and found[0].startswith(name + " ")


def test_immutable_differences_lists_all():
    found = ng.immutable_differences(CURRENT, want(ami_type="AL2_x86_64", capacity_type="SPOT", disk_size=20))
    assert [f.split(" ")[0] for f in found] == ["ami_type", "capacity_type", "disk_size"]


def test_immutable_launch_template_same_id_is_no_difference():
    assert ng.immutable_differences(LT_CURRENT, want({"id": "lt-1", "name": "tmpl", "version": "5"})) == []
    assert ng.immutable_differences(LT_CURRENT, want({"id": "lt-2", "name": "tmpl2", "version": "5"})) != []


# ---------------------------------------------------------------- versions
@pytest.mark.parametrize(
    "desired, cluster, current",
    [
        (None, "1.31", "1.30"),
        ("1.31", "1.31", "1.30"),
        ("1.28", "1.31", None),
        ("1.25", "1.27", None),
        ("1.30", "1.31", "1.30"),
    ],
)
def test_check_version_accepts(desired, cluster, current):
    ng.check_version(desired, cluster, current)


@pytest.mark.parametrize(
    "desired, cluster, current, message",
    [
        ("1.32", "1.31", None, "ahead of the cluster's control plane"),
        ("1.27", "1.31", None, "more than 3 minor versions behind"),
        ("1.24", "1.27", None, "more than 2 minor versions behind"),
        ("1.29", "1.31", "1.30", "cannot be downgraded"),
    ],
)
def test_check_version_rejects(desired, cluster, current, message):
    with pytest.raises(EksError, match=message):
        ng.check_version(desired, cluster, current)


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"scaling": {"min": 3, "max": 2, "desired": None}}, r"scaling.min \(3\) must not be greater than scaling.max"),
        ({"scaling": {"min": 1, "max": 3, "desired": 5}}, r"scaling.desired \(5\) must not be greater than"),
        ({"scaling": {"min": 2, "max": 3, "desired": 1}}, r"scaling.desired \(1\) must not be less than"),
        ({"scaling": {"min": -1, "max": 3, "desired": None}}, "scaling.min must be 0 or more"),
        ({"scaling": {"min": 0, "max": 0, "desired": None}}, "scaling.max must be 1 or more"),
        ({"update_config": {"max_unavailable": None, "max_unavailable_percentage": 120}}, "between 1 and 100"),
        ({"update_config": {"max_unavailable": 0, "max_unavailable_percentage": None}}, "max_unavailable must be 1"),
        ({"launch_template": {"id": None, "name": None, "version": None}}, "launch_template needs id or name"),
        ({"launch_template": {"id": "lt-1", "name": None, "version": "latest"}}, "launch_template.version must be"),
        (
            {"launch_template": {"id": "lt-1", "name": None, "version": None}, "disk_size": 20},
            "disk_size cannot be used",
        ),
        ({"version": "1.31.2"}, "version must be a Kubernetes minor version"),
        ({"disk_size": 0}, "disk_size must be 1 GiB"),
    ],
)
def test_validate_rejects(overrides, message):
    with pytest.raises(EksError, match=message):
        ng.validate(params(**overrides))


@pytest.mark.parametrize("version", ["3", "$Default", "$Latest"])
def test_validate_accepts_launch_template_versions(version):
    ng.validate(params(launch_template={"id": None, "name": "tmpl", "version": version}))


# ---------------------------------------------------------------- create
def create_params(**overrides):
    return params(
        node_role_arn="arn:aws:iam::123456789012:role/node",
        subnet_ids=["subnet-a", "subnet-b"],
        **overrides,
    )


def test_build_create_minimal_uses_default_scaling():
    assert ng.build_create(ng.build_desired(create_params())) == {
        "clusterName": "myeks",
        "nodegroupName": "ng-1",
        "nodeRole": "arn:aws:iam::123456789012:role/node",
        "subnets": ["subnet-a", "subnet-b"],
        "scalingConfig": {"minSize": 2, "maxSize": 2, "desiredSize": 2},
    }


def test_build_create_everything():
    request = ng.build_create(
        ng.build_desired(
            create_params(
                instance_types=["m5.large"],
                ami_type="BOTTLEROCKET_x86_64",
                capacity_type="SPOT",
                scaling={"min": 1, "max": 4, "desired": None},
                labels={"role": "x", "n": 1},
                taints=[{"key": "k", "value": None, "effect": "NoExecute"}],
                tags={"team": "a"},
                update_config={"max_unavailable": None, "max_unavailable_percentage": 33},
                node_repair=True,
                version="1.31",
                release_version="1.31.0-20241024",
            ),
            launch_template={"id": "lt-1", "name": "tmpl", "version": "2"},
        )
    )
    assert request["scalingConfig"] == {"minSize": 1, "maxSize": 4, "desiredSize": 1}
    assert request["labels"] == {"role": "x", "n": "1"}
    assert request["taints"] == [{"key": "k", "effect": "NO_EXECUTE"}]
    assert request["updateConfig"] == {"maxUnavailablePercentage": 33}
    assert request["nodeRepairConfig"] == {"enabled": True}
    assert request["launchTemplate"] == {"id": "lt-1", "version": "2"}
    assert request["amiType"] == "BOTTLEROCKET_x86_64" and request["capacityType"] == "SPOT"
    assert request["version"] == "1.31" and request["releaseVersion"] == "1.31.0-20241024"
    assert request["tags"] == {"team": "a"}


def test_build_create_needs_min_and_max():
    with pytest.raises(EksError, match="scaling.min and scaling.max are both needed"):
        ng.build_create(ng.build_desired(create_params(scaling={"min": None, "max": 3, "desired": 2})))


def test_predict_created_fills_version_and_status():
    predicted = ng.predict_created(
        ng.build_create(ng.build_desired(create_params(labels={"a": "b"}))), cluster_version="1.31"
    )
    assert predicted["status"] == "CREATING"
    assert predicted["version"] == "1.31"
    assert predicted["labels"] == {"a": "b"} and predicted["taints"] == [] and predicted["tags"] == {}
    assert predicted["scalingConfig"] == {"minSize": 2, "maxSize": 2, "desiredSize": 2}


# ---------------------------------------------------------------- prediction of updates
def test_apply_config_predicts_the_updated_nodegroup():
    change = {
        "labels": {"addOrUpdateLabels": {"role": "batch"}, "removeLabels": ["alpha.eksctl.io/cluster-name"]},
        "taints": {
            "addOrUpdateTaints": [{"key": "dedicated", "value": "x", "effect": "NO_EXECUTE"}],
            "removeTaints": [{"key": "dedicated", "effect": "NO_SCHEDULE"}],
        },
        "scalingConfig": {"minSize": 1, "maxSize": 9},
        "updateConfig": {"maxUnavailablePercentage": 10},
    }
    result = ng.apply_config(CURRENT, change)
    assert result["labels"] == {"role": "batch"}
    assert result["taints"] == [{"key": "dedicated", "value": "x", "effect": "NO_EXECUTE"}]
    assert result["scalingConfig"] == {"minSize": 1, "maxSize": 9, "desiredSize": 4}
    assert result["updateConfig"] == {"maxUnavailablePercentage": 10}
    assert CURRENT["labels"]["role"] == "general"  # the input is not changed


def test_apply_version_predicts_the_updated_nodegroup():
    result = ng.apply_version(LT_CURRENT, {"version": "1.31", "launchTemplate": {"id": "lt-1", "version": "4"}})
    assert result["version"] == "1.31"
    assert result["launchTemplate"] == {"id": "lt-1", "name": "tmpl", "version": "4"}
    assert result["releaseVersion"] == LT_CURRENT["releaseVersion"]


# ---------------------------------------------------------------- scaling names: the definition's, old ones as aliases
def test_sizes_take_the_definition_names():
    values, names = ng.sizes({"min_size": 1, "max_size": 4, "desired_size": 2})
    assert values == {"min": 1, "max": 4, "desired": 2}
    assert names == {"min": "scaling.min_size", "max": "scaling.max_size", "desired": "scaling.desired_size"}


def test_sizes_accept_the_short_aliases_and_name_them_as_written():
    # Ansible leaves the alias the user wrote beside the option it fills.
    values, names = ng.sizes({"min": 1, "max": 4, "min_size": 1, "max_size": 4, "desired_size": None})
    assert values == {"min": 1, "max": 4, "desired": None}
    assert names["desired"] == "scaling.desired"


@pytest.mark.parametrize(
    "scaling, message",
    [
        (
            {"min_size": 3, "max_size": 2, "desired_size": None},
            r"scaling.min_size \(3\) must not be greater than scaling.max_size \(2\)",
        ),
        (
            {"min_size": 1, "max_size": 3, "desired_size": 5},
            r"scaling.desired_size \(5\) must not be greater than scaling.max_size",
        ),
        ({"min_size": -1, "max_size": 3, "desired_size": None}, "scaling.min_size must be 0 or more"),
    ],
)
def test_validate_names_the_definition_fields(scaling, message):
    with pytest.raises(EksError, match=message):
        ng.validate({"scaling": scaling})


def test_build_create_and_scaling_change_with_the_definition_names():
    request = ng.build_create(
        ng.build_desired(create_params(scaling={"min_size": 1, "max_size": 4, "desired_size": None}))
    )
    assert request["scalingConfig"] == {"minSize": 1, "maxSize": 4, "desiredSize": 1}
    assert ng.scaling_change(SCALING, {"max_size": 8}) == {"minSize": 2, "maxSize": 8}
    with pytest.raises(EksError, match="set scaling.desired_size too"):
        ng.scaling_change(SCALING, {"max_size": 3})


# ---------------------------------------------------------------- diff view
def test_diff_view_shows_what_the_user_controls_sorted_and_nothing_aws_sets():
    described = dict(
        CURRENT,
        subnets=["subnet-b", "subnet-a"],
        taints=[T_DED, {"key": "a", "effect": "NO_EXECUTE"}],
        launchTemplate={"id": "lt-1", "name": "myeks-ng-1", "version": "3"},
        health={"issues": []},
        resources={"autoScalingGroups": [{"name": "eks-ng-1-abc"}]},
        createdAt="2026-01-01T00:00:00",
        modifiedAt="2026-01-02T00:00:00",
        status="UPDATING",
    )
    view = ng.diff_view(described)
    assert view == {
        "nodegroup_name": "ng-1",
        "node_role": "arn:aws:iam::123456789012:role/node",
        "subnets": ["subnet-a", "subnet-b"],
        "instance_types": ["m5.large", "m5a.large"],
        "ami_type": "AL2023_x86_64_STANDARD",
        "capacity_type": "ON_DEMAND",
        "disk_size": 80,
        "scaling_config": {"min_size": 2, "max_size": 6, "desired_size": 4},
        "update_config": {"max_unavailable": 1},
        "labels": {"alpha.eksctl.io/cluster-name": "myeks", "role": "general"},
        "taints": [{"key": "a", "effect": "NO_EXECUTE"}, T_DED],
        "launch_template": {"name": "myeks-ng-1", "version": "3"},
        "version": "1.30",
        "release_version": "1.30.4-20241024",
        "tags": {"team": "platform"},
    }
    assert ng.diff_view(dict(described, status="ACTIVE", modifiedAt="2026-03-01")) == view
    assert ng.diff_view(None) == {}


def test_diff_view_of_predicted_changes_shows_only_them():
    change = ng.config_changes(CURRENT, want(labels={"role": "batch"}, scaling={"max_size": 8}))
    after = ng.diff_view(ng.apply_config(CURRENT, change))
    before = ng.diff_view(CURRENT)
    assert sorted(k for k in before if before[k] != after[k]) == ["labels", "scaling_config"]
    assert after["scaling_config"] == {"min_size": 2, "max_size": 8, "desired_size": 4}


# ---------------------------------------------------------------- change records: plan, predict, apply, outcome
NAMES = {"clusterName": "myeks", "nodegroupName": "ng-1"}


def records(changes):
    return [{k: ch[k] for k in ("resource", "action", "why", "call", "params")} for ch in changes]


def test_plan_nothing_to_change():
    assert ng.plan(CURRENT, want(labels={"role": "general"}, tags={"team": "platform"}, version="1.30")) == []


def test_plan_config_version_and_tags_in_order():
    desired = want(
        labels={"role": "batch"},
        scaling={"min": None, "max": 8, "desired": None},
        version="1.31",
        force_update=True,
        tags={"team": "data", "cost": "42"},
    )
    changes = ng.plan(CURRENT, desired)
    resource = "nodegroup ng-1 of cluster myeks"
    assert records(changes) == [
        {
            "resource": resource,
            "action": "update",
            "why": "label role: general -> batch; scaling.max_size 6 -> 8",
            "call": "update_nodegroup_config",
            "params": dict(
                NAMES, labels={"addOrUpdateLabels": {"role": "batch"}}, scalingConfig={"minSize": 2, "maxSize": 8}
            ),
        },
        {
            "resource": resource,
            "action": "update",
            "why": "Kubernetes 1.30 -> 1.31 (replaces every node of the nodegroup), force_update: pods that cannot be "
            "drained are evicted",
            "call": "update_nodegroup_version",
            "params": dict(NAMES, version="1.31", force=True),
        },
        {
            "resource": resource,
            "action": "tag",
            "why": "tags cost: - -> 42; team: platform -> data",
            "call": "tag_resource",
            "params": {"arn": CURRENT["nodegroupArn"], "tags": {"team": "data", "cost": "42"}},
        },
    ]
    predicted = ng.predict(CURRENT, changes)
    assert predicted["labels"] == {"role": "batch", "alpha.eksctl.io/cluster-name": "myeks"}
    assert predicted["scalingConfig"] == {"minSize": 2, "maxSize": 8, "desiredSize": 4}
    assert predicted["version"] == "1.31"
    assert predicted["tags"] == {"team": "data", "cost": "42"}
    # What the changes lead to needs no change; the input is left as it was.
    assert ng.plan(predicted, desired) == []
    assert CURRENT["version"] == "1.30" and CURRENT["tags"] == {"team": "platform"}


def test_plan_taints_update_config_node_repair_and_untag():
    desired = want(
        taints=[{"key": "gpu", "value": "true", "effect": "NoSchedule"}],
        purge_taints=True,
        update_config={"max_unavailable": None, "max_unavailable_percentage": 25},
        node_repair=True,
        tags={},
    )
    changes = ng.plan(CURRENT, desired)
    assert [(ch["action"], ch["call"]) for ch in changes] == [
        ("update", "update_nodegroup_config"),
        ("untag", "untag_resource"),
    ]
    assert changes[0]["why"] == (
        "taint gpu=true:NO_SCHEDULE set; taint dedicated:NO_SCHEDULE removed; "
        "update_config.max_unavailable_percentage - -> 25; node_repair False -> True"
    )
    assert changes[1]["params"] == {"arn": CURRENT["nodegroupArn"], "keys": ["team"]}
    predicted = ng.predict(CURRENT, changes)
    assert predicted["taints"] == [{"key": "gpu", "value": "true", "effect": "NO_SCHEDULE"}]
    assert predicted["nodeRepairConfig"] == {"enabled": True} and predicted["tags"] == {}
    assert ng.plan(predicted, desired) == []


def test_plan_launch_template_version_names_the_template():
    changes = ng.plan(LT_CURRENT, want({"id": "lt-1", "name": "tmpl", "version": "4"}))
    assert records(changes) == [
        {
            "resource": "nodegroup ng-1 of cluster myeks",
            "action": "update",
            "why": "launch template tmpl version 3 -> 4 (replaces every node of the nodegroup)",
            "call": "update_nodegroup_version",
            "params": dict(NAMES, launchTemplate={"id": "lt-1", "version": "4"}),
        }
    ]
    assert ng.predict(LT_CURRENT, changes)["launchTemplate"] == {"id": "lt-1", "name": "tmpl", "version": "4"}


def test_plan_refuses_immutables_and_create_failed_before_any_change():
    with pytest.raises(
        EksError, match=r"nodegroup ng-1 cannot change in place: ami_type \(is 'AL2023_x86_64_STANDARD'"
    ):
        ng.plan(CURRENT, want(ami_type="BOTTLEROCKET_x86_64", labels={"role": "batch"}))
    failed = dict(
        CURRENT, status="CREATE_FAILED", health={"issues": [{"code": "AsgInstanceLaunchFailures", "message": "no"}]}
    )
    with pytest.raises(
        EksError, match="nodegroup ng-1 is CREATE_FAILED \\(AsgInstanceLaunchFailures: no\\): delete it"
    ):
        ng.plan(failed, want())


def test_plan_create_is_one_record_with_the_create_request():
    desired = ng.build_desired(
        create_params(scaling={"min": 1, "max": 3, "desired": None}, labels={"role": "general"}),
        {"id": "lt-1", "name": "tmpl", "version": None, "default_version": "2"},
    )
    (create,) = ng.plan(None, desired, cluster_version="1.31")
    assert (create["action"], create["call"], create["why"]) == (
        "create",
        "create_nodegroup",
        "no nodegroup ng-1: 1 node (1..3)",
    )
    # The launch template's default version, as it was when planned.
    assert create["params"]["launchTemplate"] == {"id": "lt-1", "version": "2"}
    assert create["params"]["labels"] == {"role": "general"} and create["params"]["nodegroupName"] == "ng-1"
    predicted = ng.predict(None, [create])
    assert predicted["status"] == "CREATING" and predicted["version"] == "1.31"
    assert predicted["launchTemplate"] == {"id": "lt-1", "version": "2", "name": "tmpl"}
    with pytest.raises(EksError, match="node_role_arn and subnet_ids needed to create nodegroup ng-1"):
        ng.plan(None, want())


def test_plan_delete():
    (delete,) = ng.plan_delete(CURRENT, want())
    assert records([delete]) == [
        {
            "resource": "nodegroup ng-1 of cluster myeks",
            "action": "delete",
            "why": "state=absent",
            "call": "delete_nodegroup",
            "params": {"cluster_name": "myeks", "name": "ng-1"},
        }
    ]
    assert ng.predict(CURRENT, [delete]) is None
    assert ng.plan_delete(None, want()) == [] and ng.plan_delete(dict(CURRENT, status="DELETING"), want()) == []


class FakeEks:
    """An EKS client that records the calls made; each update is answered as started."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        def call(**kwargs):
            self.calls.append((name, kwargs))
            if name.startswith("update_nodegroup"):
                return {"update": {"id": f"u-{len(self.calls)}", "type": "ConfigUpdate", "status": "InProgress"}}
            return {}

        return call


def test_apply_without_wait_makes_the_calls_in_order_and_returns_the_update_started():
    desired = want(scaling={"min": None, "max": 8, "desired": None}, tags={"team": "data"})
    eks = FakeEks()
    started = ng.apply(eks, desired, ng.plan(CURRENT, desired), deadline=None, do_wait=False)
    assert eks.calls == [
        ("update_nodegroup_config", dict(NAMES, scalingConfig={"minSize": 2, "maxSize": 8})),
        ("tag_resource", {"resourceArn": CURRENT["nodegroupArn"], "tags": {"team": "data"}}),
    ]
    assert started == [{"id": "u-1", "type": "ConfigUpdate"}]


class FakeModule:
    def __init__(self, diff=False):
        self._diff = diff


def test_outcome_shape_of_an_update_and_of_a_delete():
    changes = ng.plan(CURRENT, want(labels={"role": "batch"}))
    predicted = ng.predict(CURRENT, changes)
    out = ng.outcome(FakeModule(diff=True), predicted, changes, CURRENT, predicted, updates=[{"id": "u-1"}])
    assert out["changed"] is True
    assert out["changes"] == records(changes)
    assert out["nodegroup"]["labels"] == {"role": "batch", "alpha.eksctl.io/cluster-name": "myeks"}
    assert out["nodegroup"]["nodegroup_name"] == "ng-1" and out["updates"] == [{"id": "u-1"}]
    assert out["diff"]["before"]["labels"]["role"] == "general" and out["diff"]["after"]["labels"]["role"] == "batch"

    gone = ng.outcome(FakeModule(diff=True), None, ng.plan_delete(CURRENT, want()), CURRENT, None)
    assert gone["changed"] is True and gone["nodegroup"] == {}
    assert gone["diff"] == {"before": ng.diff_view(CURRENT), "after": {}}
    same = ng.outcome(FakeModule(), CURRENT, [], CURRENT, CURRENT)
    assert same["changed"] is False and same["changes"] == [] and "diff" not in same


# ---------------------------------------------------------------- the launch template the nodegroup already uses
USED = {"launchTemplate": {"id": "lt-0a", "name": "myeks-ng", "version": "3"}}


@pytest.mark.parametrize(
    "current, asked, expected",
    [
        (
            USED,
            {"id": "lt-0a", "version": "3"},
            {"id": "lt-0a", "name": "myeks-ng", "version": "3", "default_version": None},
        ),
        (USED, {"id": "lt-0a", "version": "4"}, None),  # another version: read to check it exists
        (USED, {"id": "lt-0b", "version": "3"}, None),  # another template
        (USED, {"name": "myeks-ng", "version": "3"}, None),  # by name: the name may now be another template's
        (USED, {"id": "lt-0a", "version": "$Latest"}, None),
        (USED, {"id": "lt-0a"}, None),
        (None, {"id": "lt-0a", "version": "3"}, None),
        ({"launchTemplate": None}, {"id": "lt-0a", "version": "3"}, None),
    ],
)
def test_known_launch_template(current, asked, expected):
    assert ng.known_launch_template(current, asked) == expected
