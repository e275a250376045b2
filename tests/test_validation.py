"""Tier 1: the instance and platform contracts, each error message asserted exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import problems, write_project

from generator.errors import ValidationFailed
from generator.project import load_project

PLATFORM = """name: acme-apps
domain: apps.example.com
hostedZoneId: Z0123456789EXAMPLE
homeRegion: us-east-2
regions: [us-east-2, us-west-2]
uiSync: kubernetes
kubernetes:
  clusterName: platform-eks
"""

INSTANCE = """apiVersion: kro.run/v1alpha1
kind: SmartInventoryHubV5
metadata:
  name: {name}
  namespace: kro-serverless-stack
spec:
  teamName: team-backend
  developerName: {developer}
  appName: inventory
  environment: {environment}
"""


def make(tmp_path: Path, instances: dict[str, str], platform: str = PLATFORM) -> Path:
    return write_project(tmp_path, instances, platform)


def instance(**overrides: str) -> str:
    values = {"name": "john-inventory-dev", "developer": "john", "environment": "dev"}
    values.update(overrides)
    return INSTANCE.format(**values)


CASES = [
    (
        "environment outside the enum",
        instance().replace("environment: dev", "environment: qa"),
        ["instances/x.yaml: spec.environment: got 'qa', expected one of dev, staging, prod"],
    ),
    (
        "a typo is an unknown field, and the real field is then missing",
        instance().replace("teamName:", "teamname:"),
        [
            "instances/x.yaml: spec.teamName: missing, expected lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, at most 30 characters",
            "instances/x.yaml: spec.teamname: got unknown field 'teamname' in spec, expected one of teamName, appName, environment, developerName, region, deletionProtection, access",
        ],
    ),
    (
        "wrong type",
        instance().replace("appName: inventory", "appName: 42"),
        [
            "instances/x.yaml: spec.appName: got an integer 42, expected lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, at most 30 characters"
        ],
    ),
    (
        "bad characters",
        instance(developer="John_Doe"),
        [
            "instances/x.yaml: spec.developerName: got 'John_Doe', expected lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, at most 30 characters"
        ],
    ),
    (
        "unicode look-alike is shown escaped",
        instance(developer="j\u043ehn"),
        [
            "instances/x.yaml: spec.developerName: got 'j\\u043ehn', expected lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, at most 30 characters"
        ],
    ),
    (
        "derived names over AWS and Kubernetes limits",
        instance(developer="d" * 30).replace("appName: inventory", "appName: " + "a" * 30),
        [
            "instances/x.yaml: spec: got base name '"
            + "d" * 30
            + "-"
            + "a" * 30
            + "-dev', whose IAM role name '"
            + "d" * 30
            + "-"
            + "a" * 30
            + "-dev-function' is 74 characters, expected at most 64 (shorten developerName, teamName or appName)",
            "instances/x.yaml: spec: got base name '"
            + "d" * 30
            + "-"
            + "a" * 30
            + "-dev', whose IAM role name '"
            + "d" * 30
            + "-"
            + "a" * 30
            + "-dev-ui-sync' is 73 characters, expected at most 64 (shorten developerName, teamName or appName)",
            "instances/x.yaml: spec: got base name '"
            + "d" * 30
            + "-"
            + "a" * 30
            + "-dev', whose Kubernetes Job name '"
            + "d" * 30
            + "-"
            + "a" * 30
            + "-dev-ui-sync-00000000' is 82 characters, expected at most 63 (shorten developerName, teamName or appName)",
            "instances/x.yaml: spec: got base name '"
            + "d" * 30
            + "-"
            + "a" * 30
            + "-dev', whose Kubernetes ServiceAccount name '"
            + "d" * 30
            + "-"
            + "a" * 30
            + "-dev-ui-sync' is 73 characters, expected at most 63 (shorten developerName, teamName or appName)",
            "instances/x.yaml: spec: got base name '"
            + "d" * 30
            + "-"
            + "a" * 30
            + "-dev', whose Lambda function name '"
            + "d" * 30
            + "-"
            + "a" * 30
            + "-dev' is 65 characters, expected at most 64 (shorten developerName, teamName or appName)",
        ],
    ),
    (
        "region the platform does not serve",
        instance() + "  region: eu-west-1\n",
        [
            "instances/x.yaml: spec.region: got 'eu-west-1', expected one of the platform's regions: us-east-2, us-west-2"
        ],
    ),
    (
        "not a region",
        instance() + "  region: mars\n",
        ["instances/x.yaml: spec.region: got 'mars', expected an AWS region code such as us-east-2"],
    ),
    (
        "a made-up direction in a region code",
        instance() + "  region: us-eastttt-1\n",
        ["instances/x.yaml: spec.region: got 'us-eastttt-1', expected an AWS region code such as us-east-2"],
    ),
    (
        "wrong apiVersion and kind",
        instance().replace("kro.run/v1alpha1", "v1").replace("SmartInventoryHubV5", "Deployment"),
        [
            "instances/x.yaml: apiVersion: got 'v1', expected one of kro.run/v1alpha1",
            "instances/x.yaml: kind: got 'Deployment', expected one of SmartInventoryHubV5",
        ],
    ),
    (
        "invalid YAML",
        "apiVersion: [unclosed\n",
        ["instances/x.yaml: invalid YAML: line 2, column 1: expected ',' or ']', but got '<stream end>'"],
    ),
    ("empty file", "", ["instances/x.yaml: got an empty file, expected a YAML mapping"]),
    ("a list instead of a mapping", "- a\n- b\n", ["instances/x.yaml: got a list, expected a mapping"]),
    (
        "two documents",
        instance() + "---\n" + instance(),
        ["instances/x.yaml: got 2 YAML documents, expected exactly one"],
    ),
    (
        "duplicate keys",
        instance() + "  environment: prod\n",
        ["instances/x.yaml: invalid YAML: line 11, column 3: got key 'environment' twice, expected each key once"],
    ),
    (
        "anchors and aliases",
        "a: &x [1]\nb: *x\n",
        [
            "instances/x.yaml: invalid YAML: line 1, column 4: got a YAML anchor or alias, expected plain values (anchors and aliases are not allowed)"
        ],
    ),
    (
        "missing sections",
        "apiVersion: kro.run/v1alpha1\nkind: SmartInventoryHubV5\n",
        [
            "instances/x.yaml: metadata: missing, expected a mapping",
            "instances/x.yaml: spec: missing, expected a mapping",
        ],
    ),
    (
        "the platform workspace's name is reserved",
        instance(name="platform"),
        [
            "instances/x.yaml: metadata.name: got 'platform', expected any other name (it is the platform workspace's name)"
        ],
    ),
    (
        "namespace outside the platform's",
        instance().replace("namespace: kro-serverless-stack", "namespace: default"),
        [
            "instances/x.yaml: metadata.namespace: got 'default', expected one of the platform's namespaces: kro-serverless-stack"
        ],
    ),
    (
        "prod protection off needs the explicit field and a boolean",
        instance(environment="prod") + "  deletionProtection: 'no'\n",
        ["instances/x.yaml: spec.deletionProtection: got a string 'no', expected true or false"],
    ),
]


@pytest.mark.parametrize("text,expected", [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_instance_errors(tmp_path, text, expected):
    assert problems(make(tmp_path, {"x.yaml": text})) == sorted(expected)


def test_two_instances_with_one_name_and_one_base_name_name_both_files(tmp_path):
    root = make(tmp_path, {"a.yaml": instance(), "b.yaml": instance()})
    assert problems(root) == [
        "instances/a.yaml: metadata.name: got 'john-inventory-dev', expected a name no other instance uses (also in instances/b.yaml)",
        "instances/a.yaml: spec: got base name 'john-inventory-dev', expected a name no other instance uses (also in instances/b.yaml)",
        "instances/b.yaml: metadata.name: got 'john-inventory-dev', expected a name no other instance uses (also in instances/a.yaml)",
        "instances/b.yaml: spec: got base name 'john-inventory-dev', expected a name no other instance uses (also in instances/a.yaml)",
    ]


def test_every_file_is_reported_at_once(tmp_path):
    root = make(
        tmp_path,
        {"a.yaml": instance(environment="qa"), "b.yaml": "[]\n", "ok.yaml": instance(name="fine")},
        platform=PLATFORM.replace("domain: apps.example.com\n", ""),
    )
    assert problems(root) == [
        "instances/a.yaml: spec.environment: got 'qa', expected one of dev, staging, prod",
        "instances/b.yaml: got a list, expected a mapping",
        "platform.yaml: domain: missing, expected a lowercase DNS name such as apps.example.com",
    ]


PLATFORM_CASES = [
    (
        "home region must be served",
        PLATFORM.replace("regions: [us-east-2, us-west-2]", "regions: [us-west-2]"),
        ["platform.yaml: regions: got us-west-2, expected a list that includes homeRegion us-east-2"],
    ),
    (
        "home region must be served, every served region named",
        PLATFORM.replace("regions: [us-east-2, us-west-2]", "regions: [us-west-2, eu-west-1]"),
        ["platform.yaml: regions: got us-west-2, eu-west-1, expected a list that includes homeRegion us-east-2"],
    ),
    (
        "an explicit Cognito domain prefix with a reserved word is named as that field",
        PLATFORM + "cognito:\n  domainPrefix: acme-cognito-login\n",
        [
            "platform.yaml: cognito.domainPrefix: got Cognito domain prefix 'acme-cognito-login', expected one without 'cognito' (Cognito reserves it)"
        ],
    ),
    (
        "kubernetes mode needs a cluster",
        PLATFORM.replace("kubernetes:\n  clusterName: platform-eks\n", ""),
        [
            "platform.yaml: kubernetes.clusterName: missing, expected the EKS cluster name when uiSync is kubernetes (or set uiSync: terraform)"
        ],
    ),
    (
        "Cognito reserved words",
        PLATFORM.replace("name: acme-apps", "name: aws-apps"),
        [
            "platform.yaml: name: got Cognito domain prefix 'aws-apps-auth', expected one without 'aws' (Cognito reserves it)"
        ],
    ),
    (
        "hosted zone format",
        PLATFORM.replace("Z0123456789EXAMPLE", "zone-1"),
        ["platform.yaml: hostedZoneId: got 'zone-1', expected a Route 53 hosted zone id such as Z0123456789EXAMPLE"],
    ),
    ("unknown backend", PLATFORM + "backend:\n  type: consul\n", None),
    (
        "state dir may not escape",
        PLATFORM + "backend:\n  stateDir: ../elsewhere\n",
        ["platform.yaml: backend.stateDir: got '../elsewhere', expected a relative path without '..'"],
    ),
    (
        "duplicate region",
        PLATFORM.replace("[us-east-2, us-west-2]", "[us-east-2, us-east-2]"),
        ["platform.yaml: regions: got 'us-east-2' more than once, expected each value once"],
    ),
    ("log retention is one CloudWatch accepts", PLATFORM + "logRetentionDays: 10\n", None),
]


@pytest.mark.parametrize("text,expected", [(c[1], c[2]) for c in PLATFORM_CASES], ids=[c[0] for c in PLATFORM_CASES])
def test_platform_errors(tmp_path, text, expected):
    found = problems(make(tmp_path, {"x.yaml": instance()}, platform=text))
    if expected is None:  # message wording owned by the field table; assert file, field and shape
        assert (
            len(found) == 1
            and found[0].startswith("platform.yaml: ")
            and ": got " in found[0]
            and ", expected one of " in found[0]
        )
    else:
        assert found == expected


def test_valid_project_loads_with_defaults(tmp_path):
    project = load_project(
        make(tmp_path, {"x.yaml": instance(), "p.yaml": instance(name="prod-one", environment="prod")})
    )
    dev, prod = project.instance("john-inventory-dev"), project.instance("prod-one")
    assert dev.region == "us-east-2" and dev.deletion_protection is False
    assert prod.deletion_protection is True
    assert project.platform.cognito.domain_prefix == "acme-apps-auth"
    assert project.platform.backend.state_dir == str(tmp_path.resolve() / "terraform-state")


def test_yaml_1_1_words_stay_strings(tmp_path):
    """`mfa: off` is the string off, and a developer called `no` is a name, not a boolean (YAML 1.2 core scalars)."""
    platform = PLATFORM + "cognito:\n  mfa: off\n"
    project = load_project(
        make(tmp_path, {"x.yaml": instance(developer="no", name="no-inventory-dev")}, platform=platform)
    )
    assert project.platform.cognito.mfa == "OFF"
    assert project.instances[0].developer == "no"


@pytest.mark.parametrize("mfa, cognito", [("off", "OFF"), ("optional", "OPTIONAL"), ("required", "ON")])
def test_mfa_modes_map_to_cognito(tmp_path, mfa, cognito):
    project = load_project(make(tmp_path, {"x.yaml": instance()}, platform=PLATFORM + f"cognito:\n  mfa: {mfa}\n"))
    assert project.platform.cognito.mfa == cognito


def test_mfa_rejects_other_values(tmp_path):
    with pytest.raises(ValidationFailed) as err:
        load_project(make(tmp_path, {"x.yaml": instance()}, platform=PLATFORM + "cognito:\n  mfa: ON\n"))
    assert [str(p) for p in err.value.problems] == [
        "platform.yaml: cognito.mfa: got 'ON', expected one of off, optional, required"
    ]


def test_global_name_suffix_ends_bucket_names_and_default_domain_prefix(tmp_path):
    from generator.naming import platform_names

    project = load_project(
        make(tmp_path, {"x.yaml": instance()}, platform=PLATFORM + "globalNameSuffix: '123456789012'\n")
    )
    names = platform_names(project.platform)
    assert names.ui_bucket == "acme-apps-ui-123456789012"
    assert names.assets_bucket("us-east-2") == "acme-apps-assets-us-east-2-123456789012"
    assert names.log_bucket("us-east-2") == "acme-apps-logs-us-east-2-123456789012"
    assert project.platform.cognito.domain_prefix == "acme-apps-auth-123456789012"


@pytest.mark.parametrize(
    "suffix, message",
    [
        ("-x", "platform.yaml: globalNameSuffix: got '-x', expected 1 to 24 lowercase letters"),
        ("ABC", "platform.yaml: globalNameSuffix: got 'ABC', expected 1 to 24 lowercase letters"),
        ("a" * 25, "platform.yaml: globalNameSuffix: got '" + "a" * 25 + "'"),
    ],
)
def test_global_name_suffix_is_validated(tmp_path, suffix, message):
    with pytest.raises(ValidationFailed) as err:
        load_project(make(tmp_path, {"x.yaml": instance()}, platform=PLATFORM + f"globalNameSuffix: '{suffix}'\n"))
    assert [str(p) for p in err.value.problems][0].startswith(message)


def test_global_name_suffix_that_makes_a_bucket_name_too_long(tmp_path):
    platform = PLATFORM.replace("name: acme-apps", "name: " + "a" * 24) + "globalNameSuffix: " + "b" * 20 + "\n"
    platform = platform.replace("regions: [us-east-2, us-west-2]", "regions: [us-east-2, ap-southeast-2]")
    with pytest.raises(ValidationFailed) as err:
        load_project(make(tmp_path, {"x.yaml": instance()}, platform=platform))
    assert [str(p) for p in err.value.problems] == [
        "platform.yaml: globalNameSuffix: got bucket name 'aaaaaaaaaaaaaaaaaaaaaaaa-assets-ap-southeast-2-bbbbbbbbb... (67 characters), expected at most 63 (shorten name or globalNameSuffix)",
        "platform.yaml: globalNameSuffix: got bucket name 'aaaaaaaaaaaaaaaaaaaaaaaa-logs-ap-southeast-2-bbbbbbbbbbb... (65 characters), expected at most 63 (shorten name or globalNameSuffix)",
    ]


def test_every_physical_name_of_a_prod_instance_and_of_the_platform(tmp_path):
    """Tier 1 for generator/naming.py: each derived name written out (a prod base name carries the team)."""
    from generator.naming import InstanceNames, PlatformNames, instance_names, platform_names

    text = instance(name="team-backend-inventory-prod", environment="prod")
    project = load_project(make(tmp_path, {"x.yaml": text}))
    base = "team-backend-inventory-prod"
    assert instance_names(project.instances[0]) == InstanceNames(
        base=base,
        table=base,
        function=base,
        function_log_group="/aws/lambda/team-backend-inventory-prod",
        api="team-backend-inventory-prod-api",
        api_log_group="/aws/vendedlogs/apigateway/team-backend-inventory-prod",
        service_account="team-backend-inventory-prod-ui-sync",
        config_map="team-backend-inventory-prod-ui-config",
        job_prefix="team-backend-inventory-prod-ui-sync-",
        ui_prefix="team-backend-inventory-prod/",
        execution_role="team-backend-inventory-prod-function",
        uploader_role="team-backend-inventory-prod-ui-sync",
        access_group="team-backend-inventory-prod-users",
    )
    assert platform_names(project.platform) == PlatformNames(
        prefix="acme-apps",
        ui_bucket="acme-apps-ui",
        user_pool="acme-apps-users",
        user_pool_client="acme-apps-spa",
        lambda_role="acme-apps-lambda-execution",
        uploader_role="acme-apps-s3-uploader",
        oac="acme-apps-ui-oac",
        viewer_request_function="acme-apps-viewer-request",
        response_headers_policy="acme-apps-security-headers",
        cognito_domain_prefix="acme-apps-auth",
        web_acl="acme-apps-web-acl",
        app_boundary="acme-apps-app-boundary",
        waf_log_group="aws-waf-logs-acme-apps",
        bucket_suffix="",
    )


def test_a_derived_name_exactly_at_its_limit_fits():
    from generator.naming import InstanceNames, name_problems

    def names(function: str) -> InstanceNames:
        return InstanceNames(
            base="b",
            table="b",
            function=function,
            function_log_group="/aws/lambda/b",
            api="b-api",
            api_log_group="/aws/vendedlogs/apigateway/b",
            service_account="b-ui-sync",
            config_map="b-ui-config",
            job_prefix="b-ui-sync-",
            ui_prefix="b/",
            execution_role="b-function",
            uploader_role="b-ui-sync",
            access_group="b-users",
        )

    assert name_problems(names("f" * 64)) == []
    assert name_problems(names("f" * 65)) == [
        "got base name 'b', whose Lambda function name '" + "f" * 65 + "' is 65 characters, expected at most 64 "
        "(shorten developerName, teamName or appName)"
    ]


@pytest.mark.parametrize(
    ("name", "environment", "field", "protected"),
    [
        ("team-backend-inventory-prod", "prod", "", True),
        ("john-inventory-dev", "dev", "", False),
        ("team-backend-inventory-prod", "prod", "  deletionProtection: false\n", False),
        ("john-inventory-dev", "dev", "  deletionProtection: true\n", True),
    ],
    ids=["prod-default", "dev-default", "prod-explicitly-off", "dev-explicitly-on"],
)
def test_deletion_protection_is_on_in_prod_unless_the_field_says_otherwise(
    tmp_path, name, environment, field, protected
):
    project = load_project(make(tmp_path, {"x.yaml": instance(name=name, environment=environment) + field}))
    assert project.instances[0].deletion_protection is protected


#: Every form of region code AWS uses: the compass directions, two-word ones, GovCloud, the ISO partitions, a
#: two-digit number (none yet, allowed for the next).
REAL_REGIONS = [
    "us-west-1",
    "eu-central-2",
    "ap-southeast-5",
    "ap-northeast-3",
    "il-central-1",
    "ca-west-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-isob-east-1",
    "eu-isoe-west-1",
    "ap-south-12",
]


@pytest.mark.parametrize("region", REAL_REGIONS)
def test_every_form_of_real_region_code_is_accepted(tmp_path, region):
    served = PLATFORM.replace("regions: [us-east-2, us-west-2]", f"regions: [us-east-2, {region}]")
    root = make(tmp_path, {"x.yaml": instance() + f"  region: {region}\n"}, served)
    assert [i.region for i in load_project(root).instances] == [region]


@pytest.mark.parametrize("region", ["us-eastttt-1", "us-east", "useast-1", "US-EAST-1", "us-east-123", "u-east-1"])
def test_a_code_no_region_can_have_is_refused_in_platform_yaml(tmp_path, region):
    root = make(tmp_path, {}, PLATFORM.replace("homeRegion: us-east-2", f"homeRegion: {region}"))
    assert problems(root)[0] == (
        f"platform.yaml: homeRegion: got {region!r}, expected an AWS region code such as us-east-2"
    )
