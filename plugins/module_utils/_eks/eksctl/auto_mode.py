# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""autoModeConfig (EKS Auto Mode), zonalShiftConfig and controlPlaneScalingConfig."""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks import auto_mode

# Definition key -> eksctl key of autoModeConfig.
AUTO_MODE_PATHS = {
    "enabled": "enabled",
    "node_pools": "nodePools",
    "node_role_arn": "nodeRoleARN",
    "node_role_permissions_boundary": "permissionsBoundaryARN",
}


def _settings(cfg):
    """autoModeConfig as the definition's auto_mode, or None when not given (Auto Mode is then left as it is)."""
    config = cfg.get("autoModeConfig")
    if not isinstance(config, dict) or not config:
        return None
    settings = {"enabled": bool(config.get("enabled", False))}
    for key, eksctl in AUTO_MODE_PATHS.items():
        if key != "enabled" and config.get(eksctl) is not None:
            settings[key] = list(config[eksctl]) if key == "node_pools" else config[eksctl]
    return settings


def validate(cfg, problems):
    settings = _settings(cfg)
    for problem in auto_mode.problems(settings, field="autoModeConfig", names=AUTO_MODE_PATHS):
        path, what = problem.split(": ", 1)
        problems.append((path, what))


def convert(cfg, result):
    settings = _settings(cfg)
    if settings is not None:
        result["auto_mode"] = settings
    shift = cfg.get("zonalShiftConfig")
    if isinstance(shift, dict) and shift.get("enabled") is not None:
        result["zonal_shift"] = bool(shift["enabled"])
    scaling = cfg.get("controlPlaneScalingConfig")
    if isinstance(scaling, dict) and scaling.get("tier") is not None:
        result["control_plane_tier"] = scaling["tier"]


def add_paths(cfg, result, paths):
    if "auto_mode" in result:
        paths["auto_mode"] = "autoModeConfig"
        for key, eksctl in AUTO_MODE_PATHS.items():
            paths[f"auto_mode.{key}"] = f"autoModeConfig.{eksctl}"
