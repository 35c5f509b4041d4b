# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Well-known permissions for the controllers that run with an IAM role for their service account.

Each entry names the AWS managed policies to attach (by path and name, the partition and the
``arn:PARTITION:iam::aws:policy/`` prefix are added for the cluster's partition) and the inline
policies to put, with the permissions each project documents:

- vpc-cni: https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html
- ebs-csi: https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html
- efs-csi: https://docs.aws.amazon.com/eks/latest/userguide/efs-csi.html
- aws-load-balancer-controller: docs/install/iam_policy.json of kubernetes-sigs/aws-load-balancer-controller
- cluster-autoscaler: cluster-autoscaler/cloudprovider/aws/README.md of kubernetes/autoscaler
- external-dns: docs/tutorials/aws.md of kubernetes-sigs/external-dns
- cert-manager: the Route53 DNS01 solver of cert-manager (docs/configuration/acme/dns01/route53)
"""

from __future__ import annotations

import copy

from .vocabulary import CNI_POLICY

_VERSION = "2012-10-17"

_LOAD_BALANCER_CONTROLLER = {
    "Version": _VERSION,
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
        },
        {
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:GetCoipPoolUsage",
                "ec2:DescribeCoipPools",
                "ec2:GetSecurityGroupsForVpc",
                "ec2:DescribeIpamPools",
                "ec2:DescribeRouteTables",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeSSLPolicies",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeCapacityReservation",
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": [
                "cognito-idp:DescribeUserPoolClient",
                "acm:ListCertificates",
                "acm:DescribeCertificate",
                "iam:ListServerCertificates",
                "iam:GetServerCertificate",
                "waf-regional:GetWebACL",
                "waf-regional:GetWebACLForResource",
                "waf-regional:AssociateWebACL",
                "waf-regional:DisassociateWebACL",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
                "shield:GetSubscriptionState",
                "shield:DescribeProtection",
                "shield:CreateProtection",
                "shield:DeleteProtection",
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": ["ec2:CreateSecurityGroup"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["ec2:CreateTags"],
            "Resource": "arn:{partition}:ec2:*:*:security-group/*",
            "Condition": {
                "StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"},
                "Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"},
            },
        },
        {
            "Effect": "Allow",
            "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
            "Resource": "arn:{partition}:ec2:*:*:security-group/*",
            "Condition": {
                "Null": {
                    "aws:RequestTag/elbv2.k8s.aws/cluster": "true",
                    "aws:ResourceTag/elbv2.k8s.aws/cluster": "false",
                }
            },
        },
        {
            "Effect": "Allow",
            "Action": [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup",
            ],
            "Resource": "*",
            "Condition": {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}},
        },
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            "Resource": "*",
            "Condition": {"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"}},
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": [
                "arn:{partition}:elasticloadbalancing:*:*:targetgroup/*/*",
                "arn:{partition}:elasticloadbalancing:*:*:loadbalancer/net/*/*",
                "arn:{partition}:elasticloadbalancing:*:*:loadbalancer/app/*/*",
            ],
            "Condition": {
                "Null": {
                    "aws:RequestTag/elbv2.k8s.aws/cluster": "true",
                    "aws:ResourceTag/elbv2.k8s.aws/cluster": "false",
                }
            },
        },
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": [
                "arn:{partition}:elasticloadbalancing:*:*:listener/net/*/*/*",
                "arn:{partition}:elasticloadbalancing:*:*:listener/app/*/*/*",
                "arn:{partition}:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
                "arn:{partition}:elasticloadbalancing:*:*:listener-rule/app/*/*/*",
            ],
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:ModifyCapacityReservation",
                "elasticloadbalancing:ModifyIpPools",
            ],
            "Resource": "*",
            "Condition": {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}},
        },
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags"],
            "Resource": [
                "arn:{partition}:elasticloadbalancing:*:*:targetgroup/*/*",
                "arn:{partition}:elasticloadbalancing:*:*:loadbalancer/net/*/*",
                "arn:{partition}:elasticloadbalancing:*:*:loadbalancer/app/*/*",
            ],
            "Condition": {
                "StringEquals": {"elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"]},
                "Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"},
            },
        },
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            "Resource": "arn:{partition}:elasticloadbalancing:*:*:targetgroup/*/*",
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:SetWebAcl",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities",
            ],
            "Resource": "*",
        },
    ],
}

_CLUSTER_AUTOSCALER = {
    "Version": _VERSION,
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
                "eks:DescribeNodegroup",
            ],
            "Resource": ["*"],
        },
        {
            "Effect": "Allow",
            "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            "Resource": ["*"],
            "Condition": {
                "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"},
            },
        },
    ],
}

_EXTERNAL_DNS = {
    "Version": _VERSION,
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["route53:ChangeResourceRecordSets"],
            "Resource": ["arn:{partition}:route53:::hostedzone/*"],
        },
        {
            "Effect": "Allow",
            "Action": ["route53:ListHostedZones", "route53:ListResourceRecordSets", "route53:ListTagsForResources"],
            "Resource": ["*"],
        },
    ],
}

_CERT_MANAGER = {
    "Version": _VERSION,
    "Statement": [
        {"Effect": "Allow", "Action": "route53:GetChange", "Resource": "arn:{partition}:route53:::change/*"},
        {
            "Effect": "Allow",
            "Action": ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
            "Resource": "arn:{partition}:route53:::hostedzone/*",
        },
        {"Effect": "Allow", "Action": "route53:ListHostedZonesByName", "Resource": "*"},
    ],
}

# The VPC CNI in an IPv6 cluster (AWS has no managed policy for it): docs.aws.amazon.com/eks/latest/userguide/
# cni-iam-role.html, "Create IAM policy" for IPv6.
_CNI_IPV6 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ec2:AssignIpv6Addresses",
                "ec2:DescribeInstances",
                "ec2:DescribeTags",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeInstanceTypes",
            ],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": ["ec2:CreateTags"], "Resource": ["arn:{partition}:ec2:*:*:network-interface/*"]},
    ],
}

# name -> (managed policies as "path/name" under arn:PARTITION:iam::aws:policy/, inline policies by name)
WELL_KNOWN = {
    "vpc-cni": ([CNI_POLICY], {}),
    "vpc-cni-ipv6": ([], {"AmazonEKS_CNI_IPv6_Policy": _CNI_IPV6}),
    "ebs-csi": (["service-role/AmazonEBSCSIDriverPolicy"], {}),
    "efs-csi": (["service-role/AmazonEFSCSIDriverPolicy"], {}),
    "aws-load-balancer-controller": ([], {"AWSLoadBalancerControllerIAMPolicy": _LOAD_BALANCER_CONTROLLER}),
    "cluster-autoscaler": ([], {"ClusterAutoscalerPolicy": _CLUSTER_AUTOSCALER}),
    "external-dns": ([], {"ExternalDNSPolicy": _EXTERNAL_DNS}),
    "cert-manager": ([], {"CertManagerPolicy": _CERT_MANAGER}),
}

# Where each controller's service account lives when installed the usual way.
DEFAULT_SERVICE_ACCOUNTS = {
    "vpc-cni": ("kube-system", "aws-node"),
    "vpc-cni-ipv6": ("kube-system", "aws-node"),
    "ebs-csi": ("kube-system", "ebs-csi-controller-sa"),
    "efs-csi": ("kube-system", "efs-csi-controller-sa"),
    "aws-load-balancer-controller": ("kube-system", "aws-load-balancer-controller"),
    "cluster-autoscaler": ("kube-system", "cluster-autoscaler"),
    "external-dns": ("kube-system", "external-dns"),
    "cert-manager": ("cert-manager", "cert-manager"),
}


def _fill(value, partition, cluster_name):
    if isinstance(value, dict):
        return {_fill(k, partition, cluster_name): _fill(v, partition, cluster_name) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, partition, cluster_name) for v in value]
    if isinstance(value, str):
        return value.replace("{partition}", partition).replace("{cluster_name}", cluster_name)
    return value


def managed_policy_arn(partition, path_and_name):
    return f"arn:{partition}:iam::aws:policy/{path_and_name}"


def well_known_policies(names, partition, cluster_name):
    """(managed policy ARNs, inline policies by name) for the well-known controller names given."""
    managed = []
    inline = {}
    for name in names:
        if name not in WELL_KNOWN:
            raise KeyError(name)
        policy_names, documents = WELL_KNOWN[name]
        for policy_name in policy_names:
            arn = managed_policy_arn(partition, policy_name)
            if arn not in managed:
                managed.append(arn)
        for policy_name, document in documents.items():
            inline[policy_name] = _fill(copy.deepcopy(document), partition, cluster_name)
    return managed, inline
