"""Access entries, access policies, pod identity associations and tags on the local endpoint."""

from __future__ import annotations

from local_aws_tests.helpers import error_of

ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"


def test_access_entries_and_policies(eks, active_cluster, iam, raw_eks):
    role = iam.create_role(RoleName="admins", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    entry = eks.create_access_entry(clusterName="c1", principalArn=role, kubernetesGroups=["ops"], tags={"a": "1"})[
        "accessEntry"
    ]
    assert entry["type"] == "STANDARD"
    assert entry["username"] == "arn:aws:sts::123456789012:assumed-role/admins/{{SessionName}}"
    assert entry["kubernetesGroups"] == ["ops"]
    assert role in eks.list_access_entries(clusterName="c1")["accessEntries"]
    assert error_of(lambda: raw_eks.create_access_entry(clusterName="c1", principalArn=role)) == (
        "ResourceInUseException",
        409,
    )
    entry = eks.update_access_entry(
        clusterName="c1", principalArn=role, kubernetesGroups=["ops", "dev"], username="admin"
    )["accessEntry"]
    assert (entry["kubernetesGroups"], entry["username"]) == (["ops", "dev"], "admin")
    assert eks.describe_access_entry(clusterName="c1", principalArn=role)["accessEntry"]["username"] == "admin"

    associated = eks.associate_access_policy(
        clusterName="c1", principalArn=role, policyArn=ADMIN, accessScope={"type": "namespace", "namespaces": ["a"]}
    )
    assert associated["associatedAccessPolicy"]["accessScope"] == {"type": "namespace", "namespaces": ["a"]}
    eks.associate_access_policy(clusterName="c1", principalArn=role, policyArn=VIEW, accessScope={"type": "cluster"})
    listed = eks.list_associated_access_policies(clusterName="c1", principalArn=role)["associatedAccessPolicies"]
    assert sorted(p["policyArn"] for p in listed) == [ADMIN, VIEW]
    assert eks.list_access_entries(clusterName="c1", associatedPolicyArn=VIEW)["accessEntries"] == [role]
    assert error_of(
        lambda: raw_eks.associate_access_policy(
            clusterName="c1", principalArn=role, policyArn=ADMIN, accessScope={"type": "namespace"}
        )
    ) == ("InvalidParameterException", 400)
    eks.disassociate_access_policy(clusterName="c1", principalArn=role, policyArn=ADMIN)
    listed = eks.list_associated_access_policies(clusterName="c1", principalArn=role)["associatedAccessPolicies"]
    assert [p["policyArn"] for p in listed] == [VIEW]
    assert [p["name"] for p in eks.list_access_policies()["accessPolicies"]].count("AmazonEKSClusterAdminPolicy") == 1

    arn = entry["accessEntryArn"]
    eks.tag_resource(resourceArn=arn, tags={"b": "2"})
    assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}

    eks.delete_access_entry(clusterName="c1", principalArn=role)
    assert error_of(lambda: raw_eks.describe_access_entry(clusterName="c1", principalArn=role)) == (
        "ResourceNotFoundException",
        404,
    )
    assert error_of(
        lambda: raw_eks.create_access_entry(clusterName="c1", principalArn=role, kubernetesGroups=["system:masters"])
    ) == ("InvalidParameterException", 400)
    # EKS resolves the principal: a role that does not exist is refused.
    assert error_of(
        lambda: raw_eks.create_access_entry(clusterName="c1", principalArn="arn:aws:iam::123456789012:role/missing")
    ) == ("InvalidParameterException", 400)


def test_access_entries_need_an_api_authentication_mode(eks, network, iam, raw_eks):
    eks.create_cluster(name="cm", roleArn=network["cluster_role"], resourcesVpcConfig={"subnetIds": network["subnets"]})
    role = iam.create_role(RoleName="dev", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    calls = [
        lambda: raw_eks.create_access_entry(clusterName="cm", principalArn=role),
        lambda: raw_eks.list_access_entries(clusterName="cm"),
        lambda: raw_eks.describe_access_entry(clusterName="cm", principalArn=role),
        lambda: raw_eks.delete_access_entry(clusterName="cm", principalArn=role),
        lambda: raw_eks.list_associated_access_policies(clusterName="cm", principalArn=role),
        lambda: raw_eks.associate_access_policy(
            clusterName="cm", principalArn=role, policyArn=VIEW, accessScope={"type": "cluster"}
        ),
    ]
    assert [error_of(call) for call in calls] == [("InvalidRequestException", 400)] * len(calls)


def test_pod_identity_associations(eks, active_cluster, iam, raw_eks):
    role = iam.create_role(RoleName="app", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    other = iam.create_role(RoleName="other", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    assoc = eks.create_pod_identity_association(
        clusterName="c1", namespace="apps", serviceAccount="web", roleArn=role, tags={"a": "1"}
    )["association"]
    assert assoc["associationId"].startswith("a-") and assoc["disableSessionTags"] is False
    assert error_of(
        lambda: raw_eks.create_pod_identity_association(
            clusterName="c1", namespace="apps", serviceAccount="web", roleArn=role
        )
    ) == ("ResourceInUseException", 409)
    eks.create_pod_identity_association(clusterName="c1", namespace="jobs", serviceAccount="batch", roleArn=role)
    assert len(eks.list_pod_identity_associations(clusterName="c1")["associations"]) == 2
    only = eks.list_pod_identity_associations(clusterName="c1", namespace="apps")["associations"]
    assert [a["serviceAccount"] for a in only] == ["web"]
    updated = eks.update_pod_identity_association(
        clusterName="c1", associationId=assoc["associationId"], roleArn=other, targetRoleArn=role
    )["association"]
    assert updated["roleArn"] == other and updated["targetRoleArn"] == role and updated["externalId"]
    described = eks.describe_pod_identity_association(clusterName="c1", associationId=assoc["associationId"])
    assert described["association"]["roleArn"] == other
    eks.untag_resource(resourceArn=assoc["associationArn"], tagKeys=["a"])
    assert eks.list_tags_for_resource(resourceArn=assoc["associationArn"])["tags"] == {}
    deleted = eks.delete_pod_identity_association(clusterName="c1", associationId=assoc["associationId"])
    assert deleted["association"]["associationId"] == assoc["associationId"]
    assert error_of(
        lambda: raw_eks.describe_pod_identity_association(clusterName="c1", associationId=assoc["associationId"])
    ) == ("ResourceNotFoundException", 404)
    assert error_of(
        lambda: raw_eks.create_pod_identity_association(
            clusterName="c1", namespace="x", serviceAccount="y", roleArn="arn:aws:iam::123456789012:role/missing"
        )
    ) == ("InvalidParameterException", 400)


def test_cluster_tags(eks, active_cluster, raw_eks):
    arn = active_cluster["arn"]
    eks.tag_resource(resourceArn=arn, tags={"env": "dev", "team": "a"})
    eks.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "dev"}
    assert eks.describe_cluster(name="c1")["cluster"]["tags"] == {"env": "dev"}
    assert error_of(lambda: raw_eks.tag_resource(resourceArn=arn, tags={"aws:x": "1"})) == ("BadRequestException", 400)
    assert error_of(lambda: raw_eks.list_tags_for_resource(resourceArn=arn.replace("c1", "c9"))) == (
        "NotFoundException",
        404,
    )
    assert error_of(lambda: raw_eks.list_tags_for_resource(resourceArn="not-an-arn")) == ("BadRequestException", 400)
