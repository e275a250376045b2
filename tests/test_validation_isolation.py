"""Tier 1 for the isolation fields: isolation, kubernetes.createOidcProvider, teams, platformTeam,
spec.access.groups and the per-app role and group names, each message asserted exactly."""

from __future__ import annotations

import pytest
from test_validation import PLATFORM, instance, make, problems

from generator.naming import instance_names
from generator.project import load_project

ACCESS = "  access:\n    groups: {groups}\n"


def test_defaults(tmp_path):
    project = load_project(make(tmp_path, {"x.yaml": instance()}))
    platform = project.platform
    assert platform.isolation == "perInstance" and platform.per_instance_roles
    assert platform.kubernetes.create_oidc_provider is False
    assert dict(platform.teams) == {} and platform.platform_team is None
    (app,) = project.instances
    assert app.access_groups == ()
    names = instance_names(app)
    assert (names.execution_role, names.uploader_role, names.access_group) == (
        "john-inventory-dev-function",
        "john-inventory-dev-ui-sync",
        "john-inventory-dev-users",
    )


def test_accepted_values(tmp_path):
    platform = (
        PLATFORM
        + "  createOidcProvider: true\nisolation: shared\n"
        + 'teams:\n  team-backend: "@acme/team-backend"\nplatformTeam: "@acme/platform"\n'
    )
    text = instance() + ACCESS.format(groups="[inventory-auditors, team-backend-inventory-prod-users]")
    project = load_project(make(tmp_path, {"x.yaml": text}, platform))
    assert project.platform.isolation == "shared" and not project.platform.per_instance_roles
    assert project.platform.kubernetes.create_oidc_provider is True
    assert dict(project.platform.teams) == {"team-backend": "@acme/team-backend"}
    assert project.platform.platform_team == "@acme/platform"
    assert project.instances[0].access_groups == ("inventory-auditors", "team-backend-inventory-prod-users")


PLATFORM_CASES = [
    (
        "isolation: perinstance\n",
        ["platform.yaml: isolation: got 'perinstance', expected one of perInstance, shared"],
    ),
    (
        "teams:\n  team-backend: acme/backend\n",
        ["platform.yaml: teams.team-backend: got 'acme/backend', expected a GitHub team such as @acme/team-backend"],
    ),
    (
        'teams:\n  Team_Backend: "@acme/backend"\n',
        [
            "platform.yaml: teams.Team_Backend: got key 'Team_Backend', expected a teamName: lowercase letters, "
            "digits and '-', starting with a letter and ending with a letter or digit, at most 30 characters"
        ],
    ),
    (
        "platformTeam: platform\n",
        ["platform.yaml: platformTeam: got 'platform', expected a GitHub team such as @acme/team-backend"],
    ),
]


@pytest.mark.parametrize("extra, expected", PLATFORM_CASES, ids=[c[0].split(":")[0] for c in PLATFORM_CASES])
def test_platform_errors(tmp_path, extra, expected):
    assert problems(make(tmp_path, {"x.yaml": instance()}, PLATFORM + extra)) == expected


def test_create_oidc_provider_must_be_a_boolean(tmp_path):
    platform = PLATFORM + "  createOidcProvider: yes\n"
    assert problems(make(tmp_path, {"x.yaml": instance()}, platform)) == [
        "platform.yaml: kubernetes.createOidcProvider: got a string 'yes', expected true or false"
    ]


@pytest.mark.parametrize(
    "groups, expected",
    [
        (
            "['a b']",
            "instances/x.yaml: spec.access.groups[0]: got 'a b', expected a Cognito group name: 1 to 128 letters, "
            "digits and _.@+=:/-",
        ),
        (
            "['[admins]']",
            "instances/x.yaml: spec.access.groups[0]: got '[admins]', expected a Cognito group name: 1 to 128 "
            "letters, digits and _.@+=:/-",
        ),
        (
            "['x,y']",
            "instances/x.yaml: spec.access.groups[0]: got 'x,y', expected a Cognito group name: 1 to 128 letters, "
            "digits and _.@+=:/-",
        ),
        ("[a, a]", "instances/x.yaml: spec.access.groups: got 'a' more than once, expected each value once"),
        (
            "admins",
            "instances/x.yaml: spec.access.groups: got a string, expected a list of a Cognito group name: 1 to 128 letters, digits and _.@+=:/-",
        ),
    ],
)
def test_access_group_errors(tmp_path, groups, expected):
    assert problems(make(tmp_path, {"x.yaml": instance() + ACCESS.format(groups=groups)})) == [expected]


def test_unmapped_team_is_reported_when_teams_are_set(tmp_path):
    platform = PLATFORM + 'teams:\n  team-data: "@acme/data"\n'
    assert problems(make(tmp_path, {"x.yaml": instance()}, platform)) == [
        "instances/x.yaml: spec.teamName: got 'team-backend', expected one of platform.yaml's teams: team-data "
        "(add the team there, with the GitHub team that reviews its files)"
    ]
