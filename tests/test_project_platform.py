"""generator.project: every platform.yaml setting reaches the PlatformConfig, the bucket-name limit, the cross-file
messages, and which stacks a Selection names.

Written for the survivors (and the unreached mutants) of the mutation run over generator/project.py
(docs/testing.md): each test names the mutants it kills.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_validation import make, problems

from generator.errors import Problem
from generator.model import BackendSettings, CognitoSettings, KubernetesSettings, PlatformConfig
from generator.project import Selection, load_platform, load_project

#: load_platform joins backend.stateDir to this root; nothing is read there.
ROOT = Path("/srv/acme")

#: Every platform.yaml setting, none at its default.
EVERY_SETTING = """\
name: acme-apps
globalNameSuffix: eu1
domain: apps.example.com
hostedZoneId: Z0123456789EXAMPLE
homeRegion: us-east-2
regions: [us-west-2, us-east-2]
certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef
priceClass: PriceClass_All
uiSync: kubernetes
isolation: shared
kubernetes:
  clusterName: platform-eks
  namespaces: [team-a, team-b]
  image: registry.example.com/aws-cli:2
  createOidcProvider: true
cognito:
  domainPrefix: acme-login
  selfSignUp: true
  mfa: required
  accessTokenMinutes: 15
  refreshTokenDays: 7
backend:
  type: s3
  stateDir: state/tf
  bucket: acme-tf-state
  keyPrefix: stacks/acme
  region: eu-west-1
  lockTable: acme-tf-locks
  kmsKeyId: arn:aws:kms:eu-west-1:123456789012:alias/terraform
deletionProtection: false
logRetentionDays: 90
waf: false
wafRateLimit: 500
tags:
  team: platform
  cost-center: "42"
teams:
  team-b: "@acme/b"
  team-a: "@acme/a"
platformTeam: "@acme/platform"
"""

#: The required settings only (and kubernetes UI sync's cluster).
MINIMAL = """\
name: acme-apps
domain: apps.example.com
hostedZoneId: Z0123456789EXAMPLE
kubernetes:
  clusterName: platform-eks
"""

INSTANCE = """\
apiVersion: kro.run/v1alpha1
kind: SmartInventoryHubV5
metadata:
  name: {name}
  namespace: kro-serverless-stack
spec:
  teamName: team-backend
  developerName: {developer}
  appName: inventory
  environment: dev
"""


def _load_platform(tmp_path: Path, text: str) -> tuple[PlatformConfig | None, list[Problem]]:
    path = tmp_path / "platform.yaml"
    path.write_text(text)
    return load_platform(path, "platform.yaml", ROOT)


def test_every_platform_setting_reaches_the_model(tmp_path):
    # load_platform 130, 131, 134, 135, 140-144, 186, 188, 206, 208, 209, 228-232 (a setting -> None), 162-164,
    # 239-243 (a setting dropped: the model's default instead), 260 (backend.region `or` -> `and`: homeRegion)
    assert _load_platform(tmp_path, EVERY_SETTING) == (
        PlatformConfig(
            name="acme-apps",
            global_name_suffix="eu1",
            domain="apps.example.com",
            hosted_zone_id="Z0123456789EXAMPLE",
            home_region="us-east-2",
            regions=("us-east-2", "us-west-2"),
            certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef",
            price_class="PriceClass_All",
            ui_sync="kubernetes",
            kubernetes=KubernetesSettings(
                cluster_name="platform-eks",
                namespaces=("team-a", "team-b"),
                image="registry.example.com/aws-cli:2",
                create_oidc_provider=True,
            ),
            cognito=CognitoSettings(
                domain_prefix="acme-login",
                self_sign_up=True,
                mfa="ON",
                access_token_minutes=15,
                refresh_token_days=7,
            ),
            backend=BackendSettings(
                type="s3",
                state_dir="/srv/acme/state/tf",
                bucket="acme-tf-state",
                key_prefix="stacks/acme",
                region="eu-west-1",
                lock_table="acme-tf-locks",
                kms_key_id="arn:aws:kms:eu-west-1:123456789012:alias/terraform",
                workspace_prefix="acme-apps",
            ),
            deletion_protection=False,
            log_retention_days=90,
            waf=False,
            waf_rate_limit=500,
            tags={"cost-center": "42", "team": "platform"},
            isolation="shared",
            teams={"team-a": "@acme/a", "team-b": "@acme/b"},
            platform_team="@acme/platform",
        ),
        [],
    )


def test_a_cloud_backend_keeps_its_organization_host_workspace_prefix_and_project(tmp_path):
    # load_platform 233, 234, 236 (-> None), 244, 245, 247 (dropped), 230 and 260 (the region, homeRegion by
    # default, -> None)
    text = MINIMAL + (
        "backend:\n"
        "  type: cloud\n"
        "  organization: acme-corp\n"
        "  hostname: tfe.example.com\n"
        "  workspacePrefix: acme-prod\n"
        "  project: Serverless Apps\n"
    )
    config, problems = _load_platform(tmp_path, text)
    assert problems == []
    assert config.backend == BackendSettings(
        type="cloud",
        state_dir="/srv/acme/terraform-state",
        key_prefix="serverless-platform",
        region="us-east-2",
        organization="acme-corp",
        hostname="tfe.example.com",
        workspace_prefix="acme-prod",
        project="Serverless Apps",
    )


def test_a_bucket_name_of_exactly_63_characters_fits(tmp_path):
    # load_platform 310 (`len(b) > 63` -> `>=`): the assets bucket is
    # aaaaaaaaaaaaaaaaaaaaaaaa-assets-us-east-2-bbbbbbbbbbbbbbbbbbbbb, 63 characters
    text = (
        MINIMAL.replace("name: acme-apps", "name: aaaaaaaaaaaaaaaaaaaaaaaa")
        + "globalNameSuffix: bbbbbbbbbbbbbbbbbbbbb\n"
    )
    config, problems = _load_platform(tmp_path, text)
    assert problems == []
    assert config.global_name_suffix == "bbbbbbbbbbbbbbbbbbbbb"


def test_a_bucket_name_too_long_without_a_suffix_is_reported_on_name(tmp_path, monkeypatch):
    # load_platform 313 (always globalNameSuffix), 317, 318 ("name" misspelt). No real region is long enough to
    # pass S3's 63 today (24 + len("-assets-") + 20 at most), so the limit is lowered to reach the branch that
    # names the field when there is no suffix.
    monkeypatch.setattr("generator.project.BUCKET_NAME_LIMIT", 40)
    text = MINIMAL.replace("name: acme-apps", "name: aaaaaaaaaaaaaaaaaaaaaaaa")
    assert [str(p) for p in _load_platform(tmp_path, text)[1]] == [
        "platform.yaml: name: got bucket name 'aaaaaaaaaaaaaaaaaaaaaaaa-assets-us-east-2' (41 characters), expected "
        "at most 40 (shorten name or globalNameSuffix)",
    ]


def test_a_name_used_three_times_lists_the_two_other_files_in_each_message(tmp_path):
    # _cross_checks 18 (the other files joined with "XX, XX")
    john = INSTANCE.format(name="john-inventory-dev", developer="john")
    root = make(tmp_path, {"a.yaml": john, "b.yaml": john, "c.yaml": john}, MINIMAL)
    taken = "expected a name no other instance uses"
    assert problems(root) == [
        f"instances/a.yaml: metadata.name: got 'john-inventory-dev', {taken} (also in instances/b.yaml, instances/c.yaml)",
        f"instances/a.yaml: spec: got base name 'john-inventory-dev', {taken} (also in instances/b.yaml, instances/c.yaml)",
        f"instances/b.yaml: metadata.name: got 'john-inventory-dev', {taken} (also in instances/a.yaml, instances/c.yaml)",
        f"instances/b.yaml: spec: got base name 'john-inventory-dev', {taken} (also in instances/a.yaml, instances/c.yaml)",
        f"instances/c.yaml: metadata.name: got 'john-inventory-dev', {taken} (also in instances/a.yaml, instances/b.yaml)",
        f"instances/c.yaml: spec: got base name 'john-inventory-dev', {taken} (also in instances/a.yaml, instances/b.yaml)",
    ]


def test_a_unique_name_read_first_does_not_hide_a_later_duplicate(tmp_path):
    # _cross_checks 15 (`continue` -> `break`: the groups after a unique name never checked)
    amy = INSTANCE.format(name="amy-inventory-dev", developer="amy")
    john = INSTANCE.format(name="john-inventory-dev", developer="john")
    root = make(tmp_path, {"a.yaml": amy, "b.yaml": john, "c.yaml": john}, MINIMAL)
    taken = "expected a name no other instance uses"
    assert problems(root) == [
        f"instances/b.yaml: metadata.name: got 'john-inventory-dev', {taken} (also in instances/c.yaml)",
        f"instances/b.yaml: spec: got base name 'john-inventory-dev', {taken} (also in instances/c.yaml)",
        f"instances/c.yaml: metadata.name: got 'john-inventory-dev', {taken} (also in instances/b.yaml)",
        f"instances/c.yaml: spec: got base name 'john-inventory-dev', {taken} (also in instances/b.yaml)",
    ]


def test_an_instance_outside_the_platforms_teams_and_namespaces_is_told_every_one_of_them(tmp_path):
    # _cross_checks 68 (teams joined with "XX, XX"), 88 (namespaces joined with "XX, XX")
    platform = MINIMAL + '  namespaces: [team-a, team-b]\nteams:\n  team-a: "@acme/a"\n  team-b: "@acme/b"\n'
    root = make(tmp_path, {"x.yaml": INSTANCE.format(name="john-inventory-dev", developer="john")}, platform)
    assert problems(root) == [
        "instances/x.yaml: metadata.namespace: got 'kro-serverless-stack', expected one of the platform's "
        "namespaces: team-a, team-b",
        "instances/x.yaml: spec.teamName: got 'team-backend', expected one of platform.yaml's teams: team-a, team-b "
        "(add the team there, with the GitHub team that reviews its files)",
    ]


@pytest.mark.parametrize(
    ("selection", "stacks"),
    [
        (Selection(), ["platform", "amy-inventory-dev", "john-inventory-dev"]),
        (Selection(platform=False), ["amy-inventory-dev", "john-inventory-dev"]),
        (Selection(instances=frozenset({"john-inventory-dev"})), ["platform", "john-inventory-dev"]),
        (Selection(platform=False, instances=frozenset({"amy-inventory-dev"})), ["amy-inventory-dev"]),
        (Selection(instances=frozenset()), ["platform"]),
    ],
    ids=["everything", "instances-only", "platform-and-one", "one-instance", "platform-only"],
)
def test_a_selection_names_the_platform_stack_then_the_chosen_instances(tmp_path, selection, stacks):
    # Selection.stack_names 1-5 and Selection.chosen 1-3 (no test of the selection called them)
    amy = INSTANCE.format(name="amy-inventory-dev", developer="amy")
    john = INSTANCE.format(name="john-inventory-dev", developer="john")
    project = load_project(make(tmp_path, {"john.yaml": john, "amy.yaml": amy}, MINIMAL))
    assert selection.stack_names(project) == stacks


def test_the_project_names_an_instances_physical_resources(tmp_path):
    # Project.names 1 (instance_names(None))
    root = make(tmp_path, {"x.yaml": INSTANCE.format(name="john-inventory-dev", developer="john")}, MINIMAL)
    project = load_project(root)
    names = project.names(project.instance("john-inventory-dev"))
    assert (names.table, names.function_log_group) == ("john-inventory-dev", "/aws/lambda/john-inventory-dev")
