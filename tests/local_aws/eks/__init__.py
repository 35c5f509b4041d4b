"""The parts of the local endpoint's EKS implementation, composed into ``eks_ext.Eks``.

Each module holds one class of methods (a mixin) for one thing a reader looks for: ``dispatch`` (requests),
``transitions``, ``lookups`` (shared lookups and checks), ``updates``, ``clusters``, ``cluster_updates``,
``nodegroups``, ``identity_providers``, ``fargate``, ``addon_catalogue``, ``addons``, ``access_entries``,
``pod_identity``, ``tags``; ``common`` holds what they share. An operation is a method ``op_<Operation>(self, region,
params)``: see "Adding an EKS operation" in tests/local_aws/README.md.
"""
