"""The EKS API of the local endpoint, in place of moto's EKS backend.

State lives in memory, one lock around it. Transitions (CREATING, UPDATING, DELETING, update InProgress)
are events with a due time, applied lazily before each request in due-time order, so that what a client
sees depends only on the configured delays and the clock, never on a background thread.

EC2, IAM and KMS are moto's: the cluster security group and the remote-access security group are created
in moto's EC2 backend, and subnets, security groups, roles, launch templates, key pairs and KMS keys named
in requests are looked up there (unless the "strict" control is off).

The operations live in the package ``eks`` next to this file, one module per thing (see its ``__init__``);
``Eks`` composes them. An EKS request for ``Operation`` is answered by the method ``op_Operation`` of any of
them (tests/local_aws/README.md, "Adding an EKS operation").
"""

from __future__ import annotations

import itertools
import threading

from .eks.access_entries import AccessEntries
from .eks.addon_catalogue import AddonCatalogue
from .eks.addons import Addons
from .eks.auto_mode import AutoMode
from .eks.cluster_updates import ClusterUpdates
from .eks.clusters import Clusters
from .eks.dispatch import Dispatch
from .eks.fargate import FargateProfiles
from .eks.identity_providers import IdentityProviders
from .eks.lookups import Lookups
from .eks.nodegroups import Nodegroups
from .eks.pod_identity import PodIdentityAssociations
from .eks.tags import Tags
from .eks.transitions import Transitions
from .eks.updates import Updates

# The parts of the EKS API, each a class of op_<Operation> methods and their helpers. A new part: a module in
# eks/ with one class, added to this tuple (no method name may appear in two parts: tests/local_aws_tests/
# test_eks_layout.py checks it).
PARTS = (
    Dispatch,
    Transitions,
    Lookups,
    Updates,
    Clusters,
    ClusterUpdates,
    AutoMode,
    Nodegroups,
    IdentityProviders,
    FargateProfiles,
    AddonCatalogue,
    Addons,
    AccessEntries,
    PodIdentityAssociations,
    Tags,
)


class Eks(*PARTS):
    """The EKS API: the state (clusters and their resources, update records, pending transitions) and the parts."""

    def __init__(self, controls, account_id):
        self.controls = controls
        self.account = account_id
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.clusters = {}  # (region, name) -> cluster record
            self.updates = {}  # id -> update record
            self.events = []
            self.seq = itertools.count()
