# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""identityProviders (OIDC identity provider configs of the cluster)."""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _indexed
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _listed_once
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _sub_paths
from ansible_collections.aews.eks.plugins.module_utils._eks.identity_provider import config_problems

# Definition key -> eksctl key of an identity provider.
IDENTITY_PROVIDER_PATHS = {
    "name": "name",
    "issuer_url": "issuerURL",
    "client_id": "clientID",
    "username_claim": "usernameClaim",
    "username_prefix": "usernamePrefix",
    "groups_claim": "groupsClaim",
    "groups_prefix": "groupsPrefix",
    "required_claims": "requiredClaims",
    "tags": "tags",
}


def _config(provider):
    return {key: provider.get(eksctl) for key, eksctl in IDENTITY_PROVIDER_PATHS.items() if eksctl in provider}


def validate(cfg, problems):
    providers = _indexed(cfg.get("identityProviders"))
    seen = {}
    for index, provider in providers:
        path = f"identityProviders[{index}]"
        if provider.get("type") != "oidc":
            what = "is required" if provider.get("type") is None else f"{provider['type']!r}: only oidc is supported"
            problems.append((f"{path}.type", what))
        _listed_once(provider, path, seen, problems, lambda name, first: f"{name} is already the name of {first}")
        for problem in config_problems(
            _config(provider), lambda key, path=path: f"{path}.{IDENTITY_PROVIDER_PATHS[key]}"
        ):
            where, what = problem.split(": ", 1)
            problems.append((where, what))
    if len(providers) > 1:
        problems.append(
            ("identityProviders", f"lists {len(providers)} providers: EKS takes one OIDC identity provider per cluster")
        )


def convert(cfg, result):
    providers = []
    for _index, provider in _indexed(cfg.get("identityProviders")):
        item = {k: v for k, v in _config(provider).items() if v not in (None, "", {})}
        item.pop("type", None)
        providers.append(item)
    if providers:
        result["identity_providers"] = providers


def add_paths(cfg, result, paths):
    for position, (index, _provider) in enumerate(_indexed(cfg.get("identityProviders"))):
        _sub_paths(paths, f"identity_providers[{position}]", f"identityProviders[{index}]", IDENTITY_PROVIDER_PATHS)
