"""The add-on catalogue as EKS serves it: DescribeAddonVersions, DescribeAddonConfiguration, and the checks
of an add-on version and its configuration values against it (versions and schemas: catalogue.py)."""

from __future__ import annotations

import json

from .. import catalogue
from .common import _invalid
from .common import _paginate


class AddonCatalogue:
    """Add-on versions and configuration schemas."""

    def op_DescribeAddonVersions(self, region, p):
        names = catalogue.ADDON_NAMES
        if p.get("addonName"):
            names = [n for n in names if n == p["addonName"]]
        k8s = p.get("kubernetesVersion")
        infos = [catalogue.addon_info(n, k8s) for n in names]
        withdrawn = self.controls.config()["withdrawn_addons"]
        for info in infos:
            gone = withdrawn.get(info["addonName"], [])
            for version in info["addonVersions"]:
                version["compatibilities"] = [c for c in version["compatibilities"] if c["clusterVersion"] not in gone]
            info["addonVersions"] = [v for v in info["addonVersions"] if v["compatibilities"] and k8s not in gone]
        infos = [i for i in infos if i["addonVersions"]]
        if p.get("types"):
            infos = [i for i in infos if i["type"] in p["types"]]
        if p.get("publishers"):
            infos = [i for i in infos if i["publisher"] in p["publishers"]]
        if p.get("owners"):
            infos = [i for i in infos if i["owner"] in p["owners"]]
        return _paginate(infos, p, "addons")

    def op_DescribeAddonConfiguration(self, region, p):
        name, version = p["addonName"], p["addonVersion"]
        if not catalogue.addon_exists(name) or not catalogue.addon_version_exists(name, version):
            raise _invalid(f"Addon version {version} is not found for addon {name}", addonName=name)
        return {
            "addonName": name,
            "addonVersion": version,
            "configurationSchema": catalogue.configuration_schema_text(name, version),
            "podIdentityConfiguration": catalogue.pod_identity_configuration(name),
        }

    def _check_addon_version(self, cluster, name, version):
        if not catalogue.addon_version_exists(name, version):
            raise _invalid(f"Addon version specified is not supported: {name} {version}", addonName=name)
        withdrawn = self.controls.config()["withdrawn_addons"].get(name, [])
        if version not in catalogue.compatible_versions(name, cluster["version"]) or cluster["version"] in withdrawn:
            raise _invalid(
                f"Addon version {version} of {name} is not supported on Kubernetes version {cluster['version']}",
                addonName=name,
            )

    def _check_configuration(self, name, version, text):
        if text is None or text == "":
            return
        try:
            values = json.loads(text)
        except ValueError:
            try:
                import yaml

                values = yaml.safe_load(text)
            except Exception:
                values = None
        if not isinstance(values, dict):
            raise _invalid(
                "ConfigurationValue provided in request is not supported: the value must be a JSON or YAML object",
                addonName=name,
            )
        import jsonschema

        schema = catalogue.configuration_schema(name, version)
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(values), key=lambda e: list(e.absolute_path))
        if errors:
            details = []
            for e in errors:
                path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)
                if e.validator == "additionalProperties":
                    extra = sorted(set(e.instance) - set(e.schema.get("properties", {})))
                    for key in extra:
                        details.append(
                            f"{path}.{key}: is not defined in the schema and the schema does not allow additional properties"
                        )
                else:
                    details.append(f"{path}: {e.message}")
            raise _invalid(
                "ConfigurationValue provided in request is not supported: Json schema validation failed with error: ["
                + ", ".join(details)
                + "]",
                addonName=name,
            )
