"""The local endpoint enforces IAM as AWS does for its IAM users (enforce_iam, tests/local_aws/access.py).

tests/reliability/test_least_privilege.py runs the collection as a user holding only docs/iam-policy.json.
"""

from __future__ import annotations

import json

import boto3


def test_endpoint_answers_as_aws_when_iam_is_enforced(local_aws):
    """Each service's wording of a refusal; the administrator's key and enforcement off are not checked."""
    iam = boto3.client("iam")
    iam.create_user(UserName="reader")
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["ec2:Describe*", "eks:List*"], "Resource": "*"},
            {"Effect": "Deny", "Action": "ec2:DescribeKeyPairs", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "iam:CreateRole",
                "Resource": "arn:aws:iam::*:role/*",
                "Condition": {"Null": {"aws:RequestTag/aews.eks/cluster-name": "false"}},
            },
        ],
    }
    iam.put_user_policy(UserName="reader", PolicyName="p", PolicyDocument=json.dumps(policy))
    user = boto3.Session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        aws_session_token=None,
        region_name="ap-northeast-2",
    )

    def refusal(call):
        try:
            call()
        except user.client("sts").exceptions.ClientError as e:
            return (
                e.response["ResponseMetadata"]["HTTPStatusCode"],
                e.response["Error"]["Code"],
                e.response["Error"]["Message"],
            )
        return None

    def create_vpc():
        return user.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")

    assert refusal(create_vpc) is None  # enforcement is off unless turned on
    assert local_aws.post("/_aews/config", {"enforce_iam": True})["enforce_iam"] is True

    user_arn = "arn:aws:iam::123456789012:user/reader"
    status, code, message = refusal(create_vpc)
    assert (status, code) == (403, "UnauthorizedOperation")
    assert message.startswith(
        "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/reader is not "
        "authorized to perform: ec2:CreateVpc because no identity-based policy allows the ec2:CreateVpc action. "
        "Encoded authorization failure message: "
    )
    status, code, message = refusal(lambda: user.client("ec2").describe_key_pairs())
    assert (status, code) == (403, "UnauthorizedOperation")
    assert "ec2:DescribeKeyPairs with an explicit deny in an identity-based policy. Encoded" in message
    assert refusal(
        lambda: user.client("eks").create_cluster(
            name="c1", roleArn="arn:aws:iam::123456789012:role/r", resourcesVpcConfig={"subnetIds": ["subnet-1"]}
        )
    ) == (
        403,
        "AccessDeniedException",
        f"User: {user_arn} is not authorized to perform: eks:CreateCluster on resource: "
        "arn:aws:eks:ap-northeast-2:123456789012:cluster/c1 because no identity-based policy allows the "
        "eks:CreateCluster action",
    )
    assert refusal(lambda: user.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")) == (
        403,
        "AccessDenied",
        f"User: {user_arn} is not authorized to perform: iam:CreateRole on resource: "
        "arn:aws:iam::123456789012:role/r because no identity-based policy allows the iam:CreateRole action",
    )
    status, code, message = refusal(lambda: user.client("logs").create_log_group(logGroupName="/aws/eks/c1/cluster"))
    assert (status, code) == (
        400,
        "AccessDeniedException",
    ) and "logs:CreateLogGroup on resource: arn:aws:logs:" in message
    # Allowed: by Resource "*", by a condition on the request's tags; sts:GetCallerIdentity needs no permission.
    assert user.client("eks").list_clusters()["clusters"] == []
    assert user.client("ec2").describe_vpcs()["Vpcs"]
    tags = [{"Key": "aews.eks/cluster-name", "Value": "c1"}]
    assert user.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}", Tags=tags)["Role"]["Arn"]
    assert user.client("sts").get_caller_identity()["Arn"] == user_arn
    # A wrong secret key is refused before any policy is read; the administrator's key is never checked.
    wrong = boto3.Session(
        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="wrong", region_name="ap-northeast-2"
    )
    assert refusal(lambda: wrong.client("eks").list_clusters())[:2] == (403, "SignatureDoesNotMatch")
    assert refusal(lambda: wrong.client("ec2").describe_vpcs())[:2] == (401, "AuthFailure")
    assert boto3.client("ec2").create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    denied = [e for e in local_aws.requests() if e.get("denied")]
    assert {(e["service"], e["operation"]) for e in denied} >= {("ec2", "CreateVpc"), ("eks", "CreateCluster")}
    local_aws.reset()
    assert "enforce_iam" not in local_aws.get("/_aews/config")
