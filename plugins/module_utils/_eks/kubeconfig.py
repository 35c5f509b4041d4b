# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A kubeconfig entry for an EKS cluster, written the way ``aws eks update-kubeconfig`` writes it.

Build the cluster, user and context entries (pure), merge them into or remove them from a kubeconfig
document (pure), ``plan`` the one change record of the file (pure), then write the file atomically with mode 0600
only when its content changes; ``ensure`` returns the outcome (``change.outcome``).
The entries follow the AWS CLI's awscli/customizations/eks/update_kubeconfig.py.
"""

from __future__ import annotations

import copy
import os
import stat
import tempfile
import traceback

from ansible.module_utils.basic import missing_required_lib

try:
    import yaml

    HAS_YAML = True
    YAML_IMPORT_ERROR = None
except ImportError:
    HAS_YAML = False
    YAML_IMPORT_ERROR = traceback.format_exc()

from . import api
from .change import change
from .change import outcome
from .errors import EksError
from .vocabulary import partition

EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"
FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
SECTIONS = (("clusters", "cluster"), ("users", "user"), ("contexts", "context"))


# ---------------------------------------------------------------- build (pure)
def cluster_arn(region, account, name):
    return f"arn:{partition(region)}:eks:{region}:{account}:cluster/{name}"


def names(arn, context_name=None, user_alias=None):
    """(cluster entry, user entry, context entry) names: the cluster ARN unless the user chose others."""
    return arn, user_alias or arn, context_name or arn


def entries(
    cluster_name, region, arn, endpoint, ca_data, context_name=None, user_alias=None, role_arn=None, profile=None
):
    """The cluster, user and context entries ``aws eks update-kubeconfig`` writes for this cluster."""
    cluster_entry, user_name, context = names(arn, context_name, user_alias)
    args = ["--region", region, "eks", "get-token", "--cluster-name", cluster_name, "--output", "json"]
    if role_arn:
        args.extend(["--role-arn", role_arn])
    exec_config = {"apiVersion": EXEC_API_VERSION, "args": args, "command": "aws"}
    if profile:
        exec_config["env"] = [{"name": "AWS_PROFILE", "value": profile}]
    return (
        {"cluster": {"certificate-authority-data": ca_data, "server": endpoint}, "name": cluster_entry},
        {"name": user_name, "user": {"exec": exec_config}},
        {"context": {"cluster": cluster_entry, "user": user_name}, "name": context},
    )


def empty():
    return {
        "apiVersion": "v1",
        "clusters": [],
        "contexts": [],
        "current-context": "",
        "kind": "Config",
        "preferences": {},
        "users": [],
    }


def _normalized(document):
    document = copy.deepcopy(document) if document else empty()
    for section, _key in SECTIONS:
        if document.get(section) is None:
            document[section] = []
    return document


def _find(items, name):
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == name:
            return index
    return None


def merge(document, new_entries, set_current_context=True):
    """The document with each entry put in place of the entry of the same name (or appended)."""
    result = _normalized(document)
    for (section, _key), entry in zip(SECTIONS, new_entries):
        index = _find(result[section], entry["name"])
        if index is None:
            result[section].append(entry)
        else:
            result[section][index] = entry
    if set_current_context:
        result["current-context"] = new_entries[2]["name"]
    return result


def remove(document, cluster_entry, user_name, context):
    """The document without our context, and without our user and cluster unless another context uses them."""
    if not document:
        return document
    result = _normalized(document)
    result["contexts"] = [c for c in result["contexts"] if not (isinstance(c, dict) and c.get("name") == context)]
    used = [(c.get("context") or {}) for c in result["contexts"] if isinstance(c, dict)]
    if not any(u.get("user") == user_name for u in used):
        result["users"] = [u for u in result["users"] if not (isinstance(u, dict) and u.get("name") == user_name)]
    if not any(u.get("cluster") == cluster_entry for u in used):
        result["clusters"] = [
            c for c in result["clusters"] if not (isinstance(c, dict) and c.get("name") == cluster_entry)
        ]
    if result.get("current-context") == context:
        result["current-context"] = ""
    return result


def require_yaml():
    if not HAS_YAML:
        raise EksError(message=missing_required_lib("PyYAML"), exception=YAML_IMPORT_ERROR)


def dump(document):
    require_yaml()
    return yaml.safe_dump(document, default_flow_style=False, sort_keys=False, width=2**31)


def parse(text, path):
    require_yaml()
    try:
        document = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as e:
        raise EksError(f"{path} is not a valid kubeconfig: {e}") from e
    if document is not None and not isinstance(document, dict):
        raise EksError(f"{path} is not a valid kubeconfig: a mapping is expected, not {type(document).__name__}")
    return document


def differences(before, after):
    """What differs between two kubeconfig documents, as "clusters NAME", "users NAME", "contexts NAME" and
    "current-context" (pure)."""
    before, after = _normalized(before), _normalized(after)
    found = []
    for section, _key in SECTIONS:
        named_before = {i.get("name"): i for i in before[section] if isinstance(i, dict)}
        named_after = {i.get("name"): i for i in after[section] if isinstance(i, dict)}
        for name in list(named_before) + [n for n in named_after if n not in named_before]:
            if named_before.get(name) != named_after.get(name):
                found.append(f"{section} {name}")
    if before.get("current-context") != after.get("current-context"):
        found.append("current-context")
    return found


def plan(path, text, before, after):
    """The change record of the kubeconfig file at ``path`` (``text``/``before``: what it holds, None when there is
    no file; ``after``: the document to have), or none when its content stays (pure)."""
    if text is not None and after == before:
        return []
    if text is None:
        action, why = "create", "no file: " + ", ".join(differences(None, after))
    else:
        action, why = "update", ", ".join(differences(before, after)) or "content"
    return [change(f"kubeconfig {path}", action, why, "write", {"path": path}, content=dump(after))]


# ---------------------------------------------------------------- apply
def read(path):
    """(text, document) of the kubeconfig at ``path``; (None, None) when there is no file."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return None, None
    except OSError as e:
        raise EksError(f"cannot read {path}: {e}") from e
    return text, parse(text, path)


def write(path, text):
    """Replace ``path`` with ``text`` atomically: a new file gets mode 0600, an existing one keeps its mode."""
    directory = os.path.dirname(path) or "."
    try:
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=DIRECTORY_MODE)
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = FILE_MODE
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".kubeconfig-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    except OSError as e:
        raise EksError(f"cannot write {path}: {e}") from e


def ensure(module, eks_client_factory, sts_client_factory):
    """Write or remove this cluster's entries; the outcome. Clients are made only when needed."""
    params = module.params
    path = os.path.abspath(os.path.expanduser(params["path"]))
    name = params["cluster_name"]
    region = module.region
    if not region:
        raise EksError("a region is needed: set region or AWS_REGION")
    present = params["state"] == "present"
    endpoint, ca_data = params["endpoint"], params["certificate_authority_data"]
    arn = params["cluster_arn"]

    text, before = read(path)
    if not present and text is None:
        return _outcome(module, dict(path=path, state="absent"), [], text)

    # DescribeCluster gives the endpoint, the CA and the ARN the entries are named after; with the endpoint
    # and CA given, the ARN is built from the caller's account instead.
    cluster = None
    if (present and not (endpoint and ca_data)) or (not present and not arn):
        cluster = api.describe_cluster(eks_client_factory(), name)
    if cluster:
        arn = arn or cluster.get("arn")
    if present and not (endpoint and ca_data):
        if cluster is None:
            raise EksError(f"cluster {name} was not found in {region}")
        endpoint = cluster.get("endpoint")
        ca_data = (cluster.get("certificateAuthority") or {}).get("data")
        if not endpoint or not ca_data:
            raise EksError(
                f"cluster {name} has no endpoint and certificate authority yet (status {cluster.get('status')})"
            )
    if not arn:
        account = api.get_caller_identity(sts_client_factory())["Account"]
        arn = cluster_arn(region, account, name)

    cluster_entry, user_name, context = names(arn, params["context_name"], params["user_alias"])
    if present:
        new = entries(
            name,
            region,
            arn,
            endpoint,
            ca_data,
            context_name=params["context_name"],
            user_alias=params["user_alias"],
            role_arn=params["role_arn"],
            profile=params["profile"],
        )
        after = merge(before, new, params["set_current_context"])
    else:
        after = remove(before, cluster_entry, user_name, context)
    changes = plan(path, text, before, after)
    if changes and not module.check_mode:
        for record in changes:
            write(record["params"]["path"], record["content"])

    kubeconfig = dict(
        path=path,
        state=params["state"],
        cluster=cluster_entry,
        user=user_name,
        context=context,
        server=endpoint,
        current_context=(after or {}).get("current-context", ""),
    )
    return _outcome(module, kubeconfig, changes, text)


def _outcome(module, kubeconfig, changes, text):
    """The outcome; in diff mode the file as text before and after (it holds no secret: the token comes from
    `aws eks get-token`)."""
    result = outcome(module, "kubeconfig", kubeconfig, changes)
    if module._diff:
        result["diff"] = dict(
            before_header=kubeconfig["path"],
            after_header=kubeconfig["path"],
            before=text or "",
            after=changes[0]["content"] if changes else (text or ""),
        )
    return result
