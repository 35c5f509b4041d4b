"""The built collection used from someone else's automation: installed with ansible-galaxy from its tarball into an
empty directory beside amazon.aws only (its one dependency, found there offline), and a playbook written as a user
writes one: aews.eks.site imported, module defaults for the aews.eks.eks action group (amazon.aws's modules
included), the collection's roles by their FQCN."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import boto3
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
AMAZON_AWS = Path(sysconfig.get_paths()["purelib"]) / "ansible_collections" / "amazon" / "aws"

USER_PLAYBOOK = """\
---
- name: The team's cluster, as aews.eks builds it
  ansible.builtin.import_playbook: aews.eks.site
  vars:
    aews_eks_cluster: "{{ team_cluster }}"

- name: The team's own automation on it
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/aews.eks.eks:
      region: "{{ team_cluster.region }}"
  vars:
    aews_eks_cluster: "{{ team_cluster | combine({'nodegroups': [team_batch_nodegroup]}) }}"
  roles:
    - role: aews.eks.definition
    - role: aews.eks.nodegroup
  post_tasks:
    - name: The cluster, region from the group's defaults
      aews.eks.eks_cluster_info:
        name: "{{ team_cluster.name }}"
      register: team_cluster_info

    - name: Its VPC through amazon.aws, with the same defaults
      amazon.aws.ec2_vpc_net_info:
        filters:
          "tag:aews.eks/cluster-name": "{{ team_cluster.name }}"
      register: team_vpcs

    - name: Report
      ansible.builtin.debug:
        msg: "TEAM {{ {'status': team_cluster_info.clusters[0].status, 'vpcs': team_vpcs.vpcs | length} | to_json }}"
"""


def run(cmd, env, cwd):
    result = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True, timeout=600,
                            check=False)  # fmt: skip
    return result


def test_built_collection_in_a_users_playbook(local_aws, tmp_path):
    work = tmp_path / "user"
    collections = work / "collections"
    (collections / "ansible_collections" / "amazon").mkdir(parents=True)
    shutil.copytree(AMAZON_AWS, collections / "ansible_collections" / "amazon" / "aws", symlinks=True)
    config = work / "ansible.cfg"
    config.write_text(f"[defaults]\ncollections_path = {collections}\ncollections_scan_sys_path = false\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_CONFIG=str(config), ANSIBLE_HOME=str(work / "home"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_CALLBACK_RESULT_FORMAT="json", PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")  # fmt: skip
    built = run([BIN / "ansible-galaxy", "collection", "build", "--output-path", work / "dist", ROOT], env, work)
    assert built.returncode == 0, built.stdout + built.stderr
    (tarball,) = (work / "dist").glob("aews-eks-*.tar.gz")
    # With its dependencies: amazon.aws must be found already there (--offline: no Galaxy).
    installed = run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-p", collections, tarball], env, work)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    listed = json.loads(run([BIN / "ansible-galaxy", "collection", "list", "--format", "json"], env, work).stdout)
    # Only these two (ansible-core's own internal collections aside).
    found = {name for path in listed.values() for name in path if not name.startswith("ansible.")}
    assert found == {"aews.eks", "amazon.aws"}

    (work / "cluster.yml").write_text(
        yaml.safe_dump(
            {
                "team_cluster": {
                    "name": "team",
                    "region": "ap-northeast-2",
                    "vpc": {"cidr": "10.50.0.0/16", "availability_zones": ["ap-northeast-2a", "ap-northeast-2c"],
                            "nat": "disabled"},
                    "addons": [{"name": "vpc-cni"}, {"name": "kube-proxy"}, {"name": "coredns"}],
                },
                "team_batch_nodegroup": {"name": "batch", "instance_types": ["t3.large"], "min_size": 1,
                                         "desired_size": 1, "max_size": 2},
            }
        )
    )  # fmt: skip
    (work / "team.yml").write_text(USER_PLAYBOOK)
    result = run([BIN / "ansible-playbook", "team.yml", "-e", "@cluster.yml", "-e", "aews_eks_poll_delay=1",
                  "-e", f"ansible_python_interpreter={sys.executable}"], env, work)  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # Everything came from the installed collection, nothing from the checkout.
    assert str(ROOT) not in result.stdout.replace(str(work), "")
    report = json.loads(result.stdout.split('"msg": "TEAM ', 1)[1].split('"\n', 1)[0].replace('\\"', '"'))
    assert report == {"status": "ACTIVE", "vpcs": 1}
    eks = boto3.client("eks")
    assert eks.describe_cluster(name="team")["cluster"]["status"] == "ACTIVE"
    nodegroup = eks.describe_nodegroup(clusterName="team", nodegroupName="batch")["nodegroup"]
    assert nodegroup["status"] == "ACTIVE" and nodegroup["instanceTypes"] == ["t3.large"]
    assert sorted(eks.list_addons(clusterName="team")["addons"]) == ["coredns", "kube-proxy", "vpc-cni"]
