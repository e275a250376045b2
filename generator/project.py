"""Load and validate a whole project: platform.yaml plus every file in instances/.

:func:`load_project` is the only entry point. It reports every problem in
every file at once (as :class:`~generator.errors.ValidationFailed`) and
returns a frozen :class:`Project` only when all inputs are valid, so nothing
downstream ever sees a half-valid model.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, ValidationFailed, show
from .model import BackendSettings, CognitoSettings, Instance, KubernetesSettings, PlatformConfig
from .naming import (
    BUCKET_NAME_LIMIT,
    PLATFORM_STACK,
    InstanceNames,
    instance_names,
    name_problems,
    platform_names,
)
from .validation.backends import backend_problems, workspace_problems
from .validation.reader import read_yaml
from .validation.rules import check
from .validation.tables import DEFAULT_REGION, INSTANCE_FIELDS, PLATFORM_FIELDS

PLATFORM_FILE = "platform.yaml"
INSTANCES_DIR = "instances"
INSTANCE_SUFFIXES = (".yaml", ".yml")


def is_instance_file(name: str) -> bool:
    """The file names the project reads as instances: visible ``*.yaml``/``*.yml`` (a dot file is a draft)."""
    return Path(name).suffix in INSTANCE_SUFFIXES and not name.startswith(".")


#: Words Cognito refuses in a hosted UI domain prefix.
COGNITO_RESERVED = ("aws", "amazon", "cognito")


@dataclass(frozen=True)
class Project:
    """A validated project: the platform and its instances, sorted by name."""

    root: Path
    platform: PlatformConfig
    instances: tuple[Instance, ...]

    def names(self, instance: Instance) -> InstanceNames:
        return instance_names(instance)

    def instance(self, name: str) -> Instance:
        for instance in self.instances:
            if instance.name == name:
                return instance
        raise KeyError(name)


@dataclass(frozen=True)
class Selection:
    """Which stacks to build: the platform and/or the named instances (None = all)."""

    platform: bool = True
    instances: frozenset[str] | None = None

    def stack_names(self, project: Project) -> list[str]:
        names = [PLATFORM_STACK] if self.platform else []
        return names + [i.name for i in self.chosen(project)]

    def chosen(self, project: Project) -> list[Instance]:
        return [i for i in project.instances if self.instances is None or i.name in self.instances]


def load_project(
    root: Path,
    platform_file: Path | None = None,
    instances_dir: Path | None = None,
    extra: tuple[tuple[Path, str], ...] = (),
) -> Project:
    """Validate everything under ``root``; raise ValidationFailed with all problems, or return the Project.

    ``extra`` adds instance files from elsewhere as ``(path, display name)``: a file about to be written.
    """
    root = root.resolve()
    platform_path = platform_file or root / PLATFORM_FILE
    platform, problems = load_platform(platform_path, _display(platform_path, root), root)
    directory = instances_dir or root / INSTANCES_DIR
    instances: list[Instance] = []
    if not directory.is_dir():
        problems.append(
            Problem(_display(directory, root), "", "missing folder, expected a folder of instance YAML files")
        )
    else:
        files = sorted(p for p in directory.iterdir() if is_instance_file(p.name))
        for path, display in [(p, _display(p, root)) for p in files] + list(extra):
            instance, found = load_instance(path, display, platform.home_region if platform else DEFAULT_REGION)
            problems.extend(found)
            if instance is not None:
                instances.append(instance)
    problems.extend(_cross_checks(instances, platform))
    if problems:
        raise ValidationFailed(problems)
    assert platform is not None  # no problems means the platform loaded
    return Project(root=root, platform=platform, instances=tuple(sorted(instances, key=lambda i: i.name)))


def _display(path: Path, root: Path) -> str:
    # The path as listed first: a symlink is named by its own name, not by its target's.
    for candidate in (path.absolute(), path.resolve()):
        try:
            return str(candidate.relative_to(root))
        except ValueError:
            continue
    return str(path)


def load_instance(
    path: Path, display: str, default_region: str = DEFAULT_REGION
) -> tuple[Instance | None, list[Problem]]:
    """Parse and check one manifest on its own (cross-file rules come later); an omitted ``spec.region``
    is ``default_region`` (the platform's homeRegion)."""
    data, problems = read_yaml(path, display)
    if problems:
        return None, problems
    values, problems = check(data, INSTANCE_FIELDS, display)
    if problems:
        return None, problems
    meta, spec = values["metadata"], values["spec"]
    if meta["name"] == PLATFORM_STACK:
        return None, [
            Problem(
                display,
                "metadata.name",
                f"got {PLATFORM_STACK!r}, expected any other name (it is the platform workspace's name)",
            )
        ]
    protection = spec["deletionProtection"]
    instance = Instance(
        file=display,
        name=meta["name"],
        namespace=meta["namespace"],
        team=spec["teamName"],
        app=spec["appName"],
        environment=spec["environment"],
        developer=spec["developerName"],
        region=spec["region"] or default_region,
        deletion_protection=spec["environment"] == "prod" if protection is None else protection,
        access_groups=tuple(spec["access"]["groups"] or ()),
    )
    problems = [Problem(display, "spec", message) for message in name_problems(instance_names(instance))]
    return (None if problems else instance), problems


#: cognito.mfa in platform.yaml -> the user pool's mfa_configuration.
COGNITO_MFA = {"off": "OFF", "optional": "OPTIONAL", "required": "ON"}


def load_platform(path: Path, display: str, root: Path) -> tuple[PlatformConfig | None, list[Problem]]:
    """Parse and check platform.yaml."""
    data, problems = read_yaml(path, display)
    if problems:
        return None, problems
    values, problems = check(data, PLATFORM_FIELDS, display)
    if problems:
        return None, problems
    home = values["homeRegion"]
    regions = values["regions"] or (home,)
    if home not in regions:
        problems.append(
            Problem(display, "regions", f"got {', '.join(regions)}, expected a list that includes homeRegion {home}")
        )
    k8s, cognito, backend = values["kubernetes"], values["cognito"], values["backend"]
    if values["uiSync"] == "kubernetes" and not k8s["clusterName"]:
        problems.append(
            Problem(
                display,
                "kubernetes.clusterName",
                "missing, expected the EKS cluster name when uiSync is kubernetes (or set uiSync: terraform)",
            )
        )
    suffix = values["globalNameSuffix"]
    domain_prefix = cognito["domainPrefix"] or f"{values['name']}-auth" + (f"-{suffix}" if suffix else "")
    for word in COGNITO_RESERVED:
        if word in domain_prefix:
            field = "cognito.domainPrefix" if cognito["domainPrefix"] else "name"
            problems.append(
                Problem(
                    display,
                    field,
                    f"got Cognito domain prefix {show(domain_prefix)}, expected one without {word!r} (Cognito reserves "
                    "it)",
                )
            )
    if ".." in backend["stateDir"].split("/"):
        problems.append(
            Problem(
                display, "backend.stateDir", f"got {show(backend['stateDir'])}, expected a relative path without '..'"
            )
        )
    problems.extend(backend_problems(backend, display))
    if problems:
        return None, problems
    config = PlatformConfig(
        name=values["name"],
        global_name_suffix=suffix,
        domain=values["domain"],
        hosted_zone_id=values["hostedZoneId"],
        home_region=home,
        regions=tuple(sorted(regions)),
        certificate_arn=values["certificateArn"],
        price_class=values["priceClass"],
        ui_sync=values["uiSync"],
        kubernetes=KubernetesSettings(
            cluster_name=k8s["clusterName"],
            namespaces=tuple(k8s["namespaces"]),
            image=k8s["image"],
            create_oidc_provider=k8s["createOidcProvider"],
        ),
        cognito=CognitoSettings(
            domain_prefix=domain_prefix,
            self_sign_up=cognito["selfSignUp"],
            mfa=COGNITO_MFA[cognito["mfa"]],
            access_token_minutes=cognito["accessTokenMinutes"],
            refresh_token_days=cognito["refreshTokenDays"],
        ),
        backend=BackendSettings(
            type=backend["type"],
            state_dir=str(root / backend["stateDir"]),
            bucket=backend["bucket"],
            key_prefix=backend["keyPrefix"],
            region=backend["region"] or home,
            lock_table=backend["lockTable"],
            kms_key_id=backend["kmsKeyId"],
            organization=backend["organization"],
            hostname=backend["hostname"],
            workspace_prefix=backend["workspacePrefix"] or values["name"],
            project=backend["project"],
        ),
        deletion_protection=values["deletionProtection"],
        log_retention_days=values["logRetentionDays"],
        waf=values["waf"],
        waf_rate_limit=values["wafRateLimit"],
        tags=dict(sorted((values["tags"] or {}).items())),
        isolation=values["isolation"],
        teams=dict(sorted((values["teams"] or {}).items())),
        platform_team=values["platformTeam"],
    )
    too_long = [b for b in platform_names(config).bucket_names(config.regions) if len(b) > BUCKET_NAME_LIMIT]
    if too_long:
        field = "globalNameSuffix" if suffix else "name"
        return None, [
            Problem(
                display,
                field,
                f"got bucket name {show(b)} ({len(b)} characters), expected at most {BUCKET_NAME_LIMIT} "
                "(shorten name or globalNameSuffix)",
            )
            for b in too_long
        ]
    return config, []


def _cross_checks(instances: list[Instance], platform: PlatformConfig | None) -> list[Problem]:
    """Rules that need more than one file: unique names and what the platform serves."""
    problems: list[Problem] = []
    for field, key in (("metadata.name", lambda i: i.name), ("spec", lambda i: instance_names(i).base)):
        groups: dict[str, list[Instance]] = defaultdict(list)
        for instance in instances:
            groups[key(instance)].append(instance)
        for value, group in groups.items():
            if len(group) < 2:
                continue
            for instance in group:
                others = ", ".join(o.file for o in group if o is not instance)
                what = f"got {show(value)}" if field == "metadata.name" else f"got base name {show(value)}"
                problems.append(
                    Problem(instance.file, field, f"{what}, expected a name no other instance uses (also in {others})")
                )
    if platform is None:
        return problems
    problems.extend(workspace_problems(platform, [(i.file, i.name) for i in instances]))
    for instance in instances:
        if instance.region not in platform.regions:
            problems.append(
                Problem(
                    instance.file,
                    "spec.region",
                    f"got {show(instance.region)}, expected one of the platform's regions: "
                    f"{', '.join(platform.regions)}",
                )
            )
        if platform.teams and instance.team not in platform.teams:
            problems.append(
                Problem(
                    instance.file,
                    "spec.teamName",
                    f"got {show(instance.team)}, expected one of platform.yaml's teams: {', '.join(platform.teams)} "
                    "(add the team there, with the GitHub team that reviews its files)",
                )
            )
        if platform.ui_sync == "kubernetes" and instance.namespace not in platform.kubernetes.namespaces:
            problems.append(
                Problem(
                    instance.file,
                    "metadata.namespace",
                    f"got {show(instance.namespace)}, expected one of the platform's namespaces: "
                    f"{', '.join(platform.kubernetes.namespaces)}",
                )
            )
    return problems
