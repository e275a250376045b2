"""The state readers of generator/states.py, in-process and offline: local ``.tfstate`` files in ``tmp_path``,
S3 through a stand-in boto3 client (the error objects are botocore's own), and HCP Terraform through a
stand-in ``urllib.request.urlopen`` that answers the API's JSON shapes and records every request.

HOME, APPDATA, TF_CLI_CONFIG_FILE, TFE_TOKEN and every TF_TOKEN_* variable are cleared or pointed at
``tmp_path`` for each test, and a request that no test expects fails the test: nothing reads the real
machine's credentials or reaches the network.
"""

from __future__ import annotations

import io
import json
import os
import sys
import types
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from generator import states
from generator.model import BackendSettings
from generator.states import (
    CloudStates,
    LocalStates,
    S3States,
    StateUnavailable,
    WorkspaceState,
    applied,
    cli_config_dir,
    credentials_file,
    from_document,
    login_token,
    read_state_file,
    states_for,
    token_variable,
)

#: 2026-11-30T12:00:00Z, the modification time given to state files.
NOON = 1796040000
#: A state with two managed resources (three instances) and one data source, and two outputs.
STATE = {
    "version": 4,
    "resources": [
        {"mode": "managed", "type": "aws_dynamodb_table", "name": "table", "instances": [{"attributes": {}}]},
        {"mode": "managed", "type": "aws_s3_object", "name": "page", "instances": [{}, {}]},
        {"mode": "data", "type": "aws_caller_identity", "name": "me", "instances": [{}, {}, {}, {}]},
    ],
    "outputs": {
        "app_url": {"value": "https://apps.example.com/john-inventory-dev/", "type": "string"},
        "table_name": {"value": "john-inventory-dev-items", "type": "string", "sensitive": False},
    },
}


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No real credentials and no network: a fresh HOME, no token variables, and urlopen refuses."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for key in [k for k in os.environ if k.startswith("TF_TOKEN_")]:
        monkeypatch.delenv(key)
    for key in ("APPDATA", "TFE_TOKEN", "TF_CLI_CONFIG_FILE"):
        monkeypatch.delenv(key, raising=False)

    def refuse(request, timeout=None):
        raise AssertionError(f"unexpected request to {request.full_url}")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return home


def write(path: Path, document: dict | str, mtime: int = NOON) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    os.utime(path, (mtime, mtime))
    return path


# --- local files -------------------------------------------------------------------------------


def test_a_state_file_reads_as_its_managed_instances_outputs_and_modification_time(tmp_path):
    path = write(tmp_path / "john-inventory-dev.tfstate", STATE)
    assert read_state_file("john-inventory-dev", path) == WorkspaceState(
        stack="john-inventory-dev",
        where=str(path),
        resources=3,
        outputs={"app_url": "https://apps.example.com/john-inventory-dev/", "table_name": "john-inventory-dev-items"},
        last_applied=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
    )


def test_a_missing_or_empty_state_file_or_a_folder_reads_as_no_state(tmp_path):
    write(tmp_path / "empty.tfstate", "")
    (tmp_path / "folder.tfstate").mkdir()
    assert read_state_file("gone", tmp_path / "gone.tfstate") is None
    assert read_state_file("empty", tmp_path / "empty.tfstate") is None
    assert read_state_file("folder", tmp_path / "folder.tfstate") is None


def test_an_unreadable_state_file_is_one_line_error_by_default(tmp_path):
    path = write(tmp_path / "half.tfstate", "{")
    with pytest.raises(StateUnavailable) as raised:
        read_state_file("half", path)
    assert str(raised.value) == (
        f"{tmp_path}/half.tfstate: got unreadable state (Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)), expected Terraform state JSON"
    )
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_an_unreadable_state_file_reads_as_no_state_when_not_strict(tmp_path):
    """A state a running Terraform is writing: status skips it instead of failing."""
    assert read_state_file("half", write(tmp_path / "half.tfstate", "{"), strict=False) is None
    assert read_state_file("one", write(tmp_path / "one.tfstate", "x"), strict=False) is None


def test_a_one_byte_state_file_is_read_not_skipped(tmp_path):
    with pytest.raises(StateUnavailable) as raised:
        read_state_file("one", write(tmp_path / "one.tfstate", "x"))
    assert str(raised.value) == (
        f"{tmp_path}/one.tfstate: got unreadable state (Expecting value: line 1 column 1 (char 0)), "
        "expected Terraform state JSON"
    )


def test_a_readable_state_is_read_the_same_when_not_strict(tmp_path):
    path = write(tmp_path / "platform.tfstate", {"resources": [{"mode": "managed", "instances": [{}]}]})
    assert read_state_file("platform", path, strict=False) == WorkspaceState(
        stack="platform",
        where=str(path),
        resources=1,
        outputs={},
        last_applied=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
    )


def test_a_document_without_resources_or_outputs_has_none():
    assert from_document("platform", "here", {"version": 4}, None) == WorkspaceState(
        stack="platform", where="here", resources=0, outputs={}, last_applied=None
    )


def test_a_resource_without_instances_or_an_output_without_value_counts_as_nothing():
    document = {
        "resources": [{"mode": "managed", "type": "aws_s3_bucket", "name": "b"}, {"type": "x", "instances": [{}]}],
        "outputs": {"secret": {"sensitive": True}},
    }
    assert from_document("s", "w", document, None) == WorkspaceState(
        stack="s", where="w", resources=0, outputs={"secret": None}, last_applied=None
    )


def local_backend(folder: Path) -> BackendSettings:
    return BackendSettings(type="local", state_dir=str(folder))


def test_local_states_lists_the_tfstate_files_sorted_by_stack(tmp_path):
    folder = tmp_path / "terraform-state"
    for name in ("team-backend-inventory-prod", "platform", "john-inventory-dev"):
        write(folder / f"{name}.tfstate", STATE)
    write(folder / "platform.tfstate.backup", STATE)
    write(folder / "notes.txt", "x")
    write(folder / "OLD.TFSTATE", STATE)
    assert LocalStates(local_backend(folder)).stacks() == [
        "john-inventory-dev",
        "platform",
        "team-backend-inventory-prod",
    ]


def test_local_states_without_a_state_folder_lists_nothing(tmp_path):
    assert LocalStates(local_backend(tmp_path / "terraform-state")).stacks() == []


def test_local_states_reads_a_stack_from_its_file_in_the_state_folder(tmp_path):
    folder = tmp_path / "terraform-state"
    path = write(folder / "platform.tfstate", {"resources": [{"mode": "managed", "instances": [{}, {}]}]})
    reader = LocalStates(local_backend(folder))
    assert reader.read("platform") == WorkspaceState(
        stack="platform",
        where=str(path),
        resources=2,
        outputs={},
        last_applied=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
    )
    assert reader.read("john-inventory-dev") is None


def test_applied_keeps_only_workspaces_whose_state_holds_a_resource(tmp_path):
    folder = tmp_path / "terraform-state"
    write(folder / "platform.tfstate", {"resources": [{"mode": "managed", "instances": [{}]}]})
    write(folder / "destroyed-app-dev.tfstate", {"resources": []})
    write(folder / "writing-app-dev.tfstate", "")
    reader = LocalStates(local_backend(folder))
    assert applied(reader) == {
        "platform": WorkspaceState(
            stack="platform",
            where=str(folder / "platform.tfstate"),
            resources=1,
            outputs={},
            last_applied=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        )
    }


def test_applied_reads_only_the_stacks_asked_for(tmp_path):
    folder = tmp_path / "terraform-state"
    write(folder / "platform.tfstate", {"resources": [{"mode": "managed", "instances": [{}]}]})
    write(folder / "john-inventory-dev.tfstate", {"resources": [{"mode": "managed", "instances": [{}]}]})
    reader = LocalStates(local_backend(folder))
    assert list(applied(reader, ["john-inventory-dev", "never-applied-dev"])) == ["john-inventory-dev"]
    assert applied(reader, []) == {}


# --- S3 ----------------------------------------------------------------------------------------

BUCKET = "acme-apps-tfstate"


def s3_backend() -> BackendSettings:
    return BackendSettings(type="s3", state_dir="/unused", bucket=BUCKET, key_prefix="apps", region="us-east-2")


def client_error(code: str, operation: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class FakeS3:
    """Answers get_object and list_objects_v2 from queues (a dict, or an exception to raise); records the calls."""

    def __init__(self, get_object=(), list_objects_v2=()):
        self.answers = {"get_object": list(get_object), "list_objects_v2": list(list_objects_v2)}
        self.calls = []

    def _answer(self, operation, kwargs):
        self.calls.append((operation, kwargs))
        answer = self.answers[operation].pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def get_object(self, **kwargs):
        return self._answer("get_object", kwargs)

    def list_objects_v2(self, **kwargs):
        return self._answer("list_objects_v2", kwargs)


@pytest.fixture
def boto3_clients(monkeypatch):
    """A stand-in boto3 module: ``client()`` records its arguments and hands out the next FakeS3."""
    made = []
    queue = []

    def client(*args, **kwargs):
        made.append((args, kwargs))
        return queue.pop(0)

    monkeypatch.setitem(sys.modules, "boto3", types.SimpleNamespace(client=client))
    return made, queue


def s3_reader(boto3_clients, fake: FakeS3) -> S3States:
    boto3_clients[1].append(fake)
    return S3States(s3_backend())


def test_s3_states_makes_an_s3_client_in_the_backend_region(boto3_clients):
    fake = FakeS3()
    reader = s3_reader(boto3_clients, fake)
    assert boto3_clients[0] == [(("s3",), {"region_name": "us-east-2"})]
    assert reader.client is fake and reader.backend == s3_backend()


def test_s3_states_without_boto3_says_how_to_list_states_instead(monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)  # what `import boto3` finds when it is not installed
    with pytest.raises(StateUnavailable) as raised:
        S3States(s3_backend())
    assert str(raised.value) == (
        "s3: boto3 is not installed, expected it to read state (pip install boto3), "
        "or list states with: aws s3 ls s3://acme-apps-tfstate/apps/"
    )
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_s3_states_reads_an_object_as_its_state_and_last_modified_time(boto3_clients):
    modified = datetime(2026, 11, 29, 8, 30, tzinfo=UTC)
    fake = FakeS3(get_object=[{"Body": io.BytesIO(json.dumps(STATE).encode()), "LastModified": modified}])
    assert s3_reader(boto3_clients, fake).read("john-inventory-dev") == WorkspaceState(
        stack="john-inventory-dev",
        where="s3://acme-apps-tfstate/apps/john-inventory-dev.tfstate",
        resources=3,
        outputs={"app_url": "https://apps.example.com/john-inventory-dev/", "table_name": "john-inventory-dev-items"},
        last_applied=modified,
    )
    assert fake.calls == [("get_object", {"Bucket": "acme-apps-tfstate", "Key": "apps/john-inventory-dev.tfstate"})]


def test_s3_states_reads_a_missing_or_empty_object_as_no_state(boto3_clients):
    fake = FakeS3(
        get_object=[
            client_error("NoSuchKey", "GetObject", "The specified key does not exist."),
            client_error("404", "HeadObject", "Not Found"),
            {"Body": io.BytesIO(b""), "LastModified": datetime(2026, 11, 29, tzinfo=UTC)},
        ]
    )
    reader = s3_reader(boto3_clients, fake)
    assert [reader.read("gone-dev"), reader.read("gone-prod"), reader.read("empty-dev")] == [None, None, None]
    assert [kwargs["Key"] for _, kwargs in fake.calls] == [
        "apps/gone-dev.tfstate",
        "apps/gone-prod.tfstate",
        "apps/empty-dev.tfstate",
    ]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"resources": [', "Expecting value: line 1 column 16 (char 15)"),
        (b"[]", "a JSON list, not an object"),
        (b'{"resources": {"a": 1}}', "resources is not a list of objects"),
        (b'{"resources": [], "outputs": {"url": "x"}}', "outputs is not an object of objects"),
    ],
    ids=["truncated", "a-list", "resources-an-object", "output-not-an-object"],
)
def test_a_damaged_s3_state_is_a_one_line_error_naming_the_object(boto3_clients, body, why):
    """A state object cut short (an interrupted upload) or not a state document is the one-line error the local
    reader gives, not a traceback. (A hand-injected bug round found the S3 reader parsing outside any handler.)"""
    fake = FakeS3(get_object=[{"Body": io.BytesIO(body), "LastModified": datetime(2026, 11, 29, tzinfo=UTC)}])
    with pytest.raises(StateUnavailable) as raised:
        s3_reader(boto3_clients, fake).read("john-inventory-dev")
    assert str(raised.value) == (
        f"s3://acme-apps-tfstate/apps/john-inventory-dev.tfstate: got unreadable state ({why}), "
        "expected Terraform state JSON"
    )
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


@pytest.mark.parametrize(
    ("text", "why"),
    [("[]", "a JSON list, not an object"), ('{"resources": ["x"]}', "resources is not a list of objects")],
    ids=["a-list", "resources-not-objects"],
)
def test_a_local_state_file_that_is_json_but_no_state_is_a_one_line_error(tmp_path, text, why):
    path = write(tmp_path / "odd.tfstate", text)
    with pytest.raises(StateUnavailable) as raised:
        read_state_file("odd", path)
    assert str(raised.value) == f"{tmp_path}/odd.tfstate: got unreadable state ({why}), expected Terraform state JSON"
    assert read_state_file("odd", path, strict=False) is None


def test_s3_states_turns_other_errors_into_the_first_line_of_their_message(boto3_clients):
    fake = FakeS3(get_object=[client_error("AccessDenied", "GetObject", "Access Denied\nRequestId: 7F3A")])
    with pytest.raises(StateUnavailable) as raised:
        s3_reader(boto3_clients, fake).read("john-inventory-dev")
    assert str(raised.value) == (
        "s3://acme-apps-tfstate/apps/john-inventory-dev.tfstate: "
        "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied"
    )
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


@pytest.mark.parametrize(
    "error, message",
    [
        (OSError("Could not connect to the endpoint URL"), "Could not connect to the endpoint URL"),
        (
            client_error("", "ListObjectsV2", "odd"),
            "An error occurred () when calling the ListObjectsV2 operation: odd",
        ),
    ],
    ids=["no-response", "no-code"],
)
def test_s3_states_turns_an_error_without_an_s3_code_into_a_one_line_error(boto3_clients, error, message):
    if isinstance(error, ClientError):
        error.response = {}  # a response that names no error
    fake = FakeS3(list_objects_v2=[error])
    with pytest.raises(StateUnavailable) as raised:
        s3_reader(boto3_clients, fake).stacks()
    assert str(raised.value) == f"s3://acme-apps-tfstate/apps/: {message}"


def test_s3_states_lists_the_state_objects_of_the_prefix_over_every_page(boto3_clients):
    fake = FakeS3(
        list_objects_v2=[
            {
                "Contents": [
                    {"Key": "apps/john-inventory-dev.tfstate"},
                    {"Key": "apps/john-inventory-dev.tfstate.tflock"},
                    {"Key": "apps/notes.txt"},
                    {"Key": "apps/env:/staging/platform.tfstate"},
                ],
                "IsTruncated": True,
                "NextContinuationToken": "page-2",
            },
            {"Contents": [{"Key": "apps/platform.tfstate"}], "IsTruncated": True, "NextContinuationToken": "page-3"},
            {"IsTruncated": False},
        ]
    )
    assert s3_reader(boto3_clients, fake).stacks() == ["john-inventory-dev", "platform"]
    assert fake.calls == [
        ("list_objects_v2", {"Bucket": "acme-apps-tfstate", "Prefix": "apps/"}),
        ("list_objects_v2", {"Bucket": "acme-apps-tfstate", "Prefix": "apps/", "ContinuationToken": "page-2"}),
        ("list_objects_v2", {"Bucket": "acme-apps-tfstate", "Prefix": "apps/", "ContinuationToken": "page-3"}),
    ]


def test_s3_states_lists_nothing_when_the_listing_is_not_found(boto3_clients):
    fake = FakeS3(list_objects_v2=[client_error("404", "ListObjectsV2", "Not Found")])
    assert s3_reader(boto3_clients, fake).stacks() == []


def test_applied_reads_s3_states_listed_by_the_bucket(boto3_clients):
    fake = FakeS3(
        list_objects_v2=[{"Contents": [{"Key": "apps/platform.tfstate"}, {"Key": "apps/old-app-dev.tfstate"}]}],
        get_object=[
            {"Body": io.BytesIO(b'{"resources": []}'), "LastModified": datetime(2026, 11, 1, tzinfo=UTC)},
            {"Body": io.BytesIO(json.dumps(STATE).encode()), "LastModified": datetime(2026, 11, 2, tzinfo=UTC)},
        ],
    )
    found = applied(s3_reader(boto3_clients, fake))
    assert {name: (s.where, s.resources) for name, s in found.items()} == {
        "platform": ("s3://acme-apps-tfstate/apps/platform.tfstate", 3)
    }
    assert [kwargs.get("Key") for _, kwargs in fake.calls] == [
        None,
        "apps/old-app-dev.tfstate",
        "apps/platform.tfstate",
    ]


# --- HCP Terraform: the token ------------------------------------------------------------------


def test_the_token_variable_mangles_the_host_name_as_terraform_does():
    assert token_variable("app.terraform.io") == "TF_TOKEN_app_terraform_io"
    assert token_variable("tfe.example-corp.com") == "TF_TOKEN_tfe_example__corp_com"


def test_the_cli_config_folder_is_dot_terraform_d_in_home(isolated, monkeypatch):
    monkeypatch.setenv("APPDATA", str(isolated / "AppData"))  # read on Windows only
    assert cli_config_dir() == isolated / ".terraform.d"
    assert credentials_file() == isolated / ".terraform.d" / "credentials.tfrc.json"


def windows(monkeypatch, environ: dict) -> None:
    """The module sees a Windows ``os``: name ``nt`` and this environment (pathlib keeps the real one)."""
    monkeypatch.setattr(states, "os", types.SimpleNamespace(name="nt", environ=environ))


def test_the_cli_config_folder_on_windows_is_terraform_d_in_appdata(isolated, tmp_path, monkeypatch):
    windows(monkeypatch, {"APPDATA": str(tmp_path / "AppData" / "Roaming")})
    assert cli_config_dir() == tmp_path / "AppData" / "Roaming" / "terraform.d"
    assert credentials_file() == tmp_path / "AppData" / "Roaming" / "terraform.d" / "credentials.tfrc.json"


def test_the_cli_config_folder_on_windows_without_appdata_is_in_home(isolated, monkeypatch):
    windows(monkeypatch, {"APPDATA": ""})
    assert cli_config_dir() == isolated / ".terraform.d"


def write_credentials(home: Path, document: dict | str) -> Path:
    return write(home / ".terraform.d" / "credentials.tfrc.json", document)


def test_login_token_is_the_token_terraform_login_stored_for_the_host(isolated):
    write_credentials(
        isolated,
        {"credentials": {"app.terraform.io": {"token": "login.atlasv1.abc"}, "tfe.example.com": {"token": "other"}}},
    )
    assert login_token("app.terraform.io") == "login.atlasv1.abc"
    assert login_token("tfe.example.com") == "other"
    assert login_token("missing.example.com") is None


@pytest.mark.parametrize(
    "document",
    [
        "{not json",
        {"credentials": {"app.terraform.io": {"token": ""}}},
        {"credentials": {"app.terraform.io": {"token": 1234}}},
        {"credentials": {"app.terraform.io": {}}},
        {"credentials": ["app.terraform.io"]},
        {"hosts": {}},
    ],
    ids=["bad-json", "empty-token", "number-token", "no-token", "list", "no-credentials"],
)
def test_login_token_treats_an_unusable_credentials_file_as_no_token(isolated, document):
    write_credentials(isolated, document)
    assert login_token("app.terraform.io") is None


def test_login_token_without_a_credentials_file_is_none():
    assert login_token("app.terraform.io") is None


def cloud_backend(hostname: str = "app.terraform.io") -> BackendSettings:
    return BackendSettings(
        type="cloud", state_dir="/unused", organization="acme", hostname=hostname, workspace_prefix="shop"
    )


def test_the_host_token_variable_comes_before_terraform_login_and_tfe_token(isolated, monkeypatch):
    monkeypatch.setenv("TF_TOKEN_tfe_example__corp_com", "from-variable")
    monkeypatch.setenv("TF_TOKEN_app_terraform_io", "other-host")
    monkeypatch.setenv("TFE_TOKEN", "from-tfe-token")
    write_credentials(isolated, {"credentials": {"tfe.example-corp.com": {"token": "from-login"}}})
    assert CloudStates(cloud_backend("tfe.example-corp.com")).token == "from-variable"


def test_the_host_token_variable_alone_is_enough(monkeypatch):
    monkeypatch.setenv("TF_TOKEN_app_terraform_io", "from-variable")
    assert CloudStates(cloud_backend()).token == "from-variable"


def test_terraform_login_comes_before_tfe_token(isolated, monkeypatch):
    monkeypatch.setenv("TFE_TOKEN", "from-tfe-token")
    monkeypatch.setenv("TF_TOKEN_app_terraform_io", "")  # set but empty: not a token
    write_credentials(isolated, {"credentials": {"app.terraform.io": {"token": "from-login"}}})
    assert CloudStates(cloud_backend()).token == "from-login"


def test_terraform_login_alone_is_enough(isolated):
    write_credentials(isolated, {"credentials": {"app.terraform.io": {"token": "from-login"}}})
    assert CloudStates(cloud_backend()).token == "from-login"


def test_tfe_token_is_the_last_resort(isolated, monkeypatch):
    monkeypatch.setenv("TFE_TOKEN", "from-tfe-token")
    write_credentials(isolated, {"credentials": {"tfe.example.com": {"token": "another-host"}}})
    reader = CloudStates(cloud_backend())
    assert reader.token == "from-tfe-token"
    assert reader.api == "https://app.terraform.io/api/v2"
    assert reader.backend == cloud_backend()


def test_no_token_names_every_place_terraform_looks(isolated, monkeypatch):
    monkeypatch.setenv("tfe_token", "lower case is another variable")
    with pytest.raises(StateUnavailable) as raised:
        CloudStates(cloud_backend("tfe.example-corp.com"))
    assert str(raised.value) == (
        "cloud: no API token for tfe.example-corp.com, expected terraform login tfe.example-corp.com "
        f"(it writes {isolated}/.terraform.d/credentials.tfrc.json), TF_TOKEN_tfe_example__corp_com or TFE_TOKEN"
    )


# --- HCP Terraform: the API --------------------------------------------------------------------

API = "https://app.terraform.io/api/v2"
FIRST_PAGE = f"{API}/organizations/acme/workspaces?search%5Bname%5D=shop-&page%5Bsize%5D=100"
SECOND_PAGE = f"{API}/organizations/acme/workspaces?page%5Bnumber%5D=2&page%5Bsize%5D=100&search%5Bname%5D=shop-"
HEADERS = {"Authorization": "Bearer tok-123", "Content-type": "application/vnd.api+json"}


def workspace(name: str, id: str, **attributes) -> dict:
    return {"id": id, "type": "workspaces", "attributes": {"name": name, **attributes}}


class FakeApi:
    """Answers each URL with its JSON document (or raises the exception given for it); records every request."""

    def __init__(self, answers: dict):
        self.answers = answers
        self.requests = []

    def urlopen(self, request, timeout="not given"):
        self.requests.append((request.get_method(), request.full_url, dict(request.header_items()), timeout))
        answer = self.answers[request.full_url]
        if isinstance(answer, Exception):
            raise answer
        return io.BytesIO(json.dumps(answer).encode())

    def urls(self) -> list[str]:
        return [url for _, url, _, _ in self.requests]


@pytest.fixture
def cloud(monkeypatch):
    """A CloudStates with token ``tok-123`` and a function that serves it the given API answers."""
    monkeypatch.setenv("TFE_TOKEN", "tok-123")
    reader = CloudStates(cloud_backend())

    def serve(answers: dict) -> FakeApi:
        api = FakeApi(answers)
        monkeypatch.setattr(urllib.request, "urlopen", api.urlopen)
        return api

    return reader, serve


WORKSPACES = {
    FIRST_PAGE: {
        "data": [
            workspace("shop-platform", "ws-plat", **{"resource-count": 0}),
            workspace(
                "shop-john-inventory-dev",
                "ws-dev",
                **{
                    "resource-count": 12,
                    "latest-change-at": "2026-11-30T12:34:56.789Z",
                    "updated-at": "2026-11-30T13:00:00.000Z",
                },
            ),
            workspace("old-shop-app", "ws-old", **{"resource-count": 4}),  # the search matches inside names too
        ],
        "links": {"self": FIRST_PAGE, "next": SECOND_PAGE},
    },
    SECOND_PAGE: {
        "data": [
            workspace(
                "shop-team-backend-inventory-prod",
                "ws-prod",
                **{"resource-count": 7, "updated-at": "2026-11-02T09:00:00Z"},
            ),
            workspace("shopping-cart-dev", "ws-cart", **{"resource-count": 1}),
            workspace("shop-nothing-dev", "ws-nothing"),
            workspace("shop-clockless-dev", "ws-clockless", **{"resource-count": 2}),
        ],
        "links": {"self": SECOND_PAGE, "next": None},
    },
}


def test_cloud_lists_the_prefixed_workspaces_of_every_page_once(cloud):
    reader, serve = cloud
    api = serve(WORKSPACES)
    listed = ["clockless-dev", "john-inventory-dev", "nothing-dev", "platform", "team-backend-inventory-prod"]
    assert reader.stacks() == listed
    assert reader.stacks() == listed  # asked again: from the pages already read
    assert reader.read("platform") is None
    assert api.requests == [
        ("GET", FIRST_PAGE, HEADERS, 30),
        ("GET", SECOND_PAGE, HEADERS, 30),
    ]


def test_cloud_reads_a_workspace_outputs_and_last_change(cloud):
    reader, serve = cloud
    outputs = f"{API}/workspaces/ws-dev/current-state-version-outputs"
    api = serve(
        {
            **WORKSPACES,
            outputs: {
                "data": [
                    {"id": "wsout-1", "attributes": {"name": "app_url", "value": "https://apps.example.com/j/"}},
                    {"id": "wsout-2", "attributes": {"name": "db_password", "sensitive": True}},
                ]
            },
        }
    )
    assert reader.read("john-inventory-dev") == WorkspaceState(
        stack="john-inventory-dev",
        where="app.terraform.io/acme/shop-john-inventory-dev",
        resources=12,
        outputs={"app_url": "https://apps.example.com/j/", "db_password": None},
        last_applied=datetime(2026, 11, 30, 12, 34, 56, 789000, tzinfo=UTC),
    )
    assert api.urls() == [FIRST_PAGE, SECOND_PAGE, outputs]
    assert api.requests[-1] == ("GET", outputs, HEADERS, 30)


def test_cloud_falls_back_to_updated_at_then_to_no_time(cloud):
    reader, serve = cloud
    serve(
        {
            **WORKSPACES,
            f"{API}/workspaces/ws-prod/current-state-version-outputs": {"data": []},
            f"{API}/workspaces/ws-clockless/current-state-version-outputs": {},
        }
    )
    assert reader.read("team-backend-inventory-prod") == WorkspaceState(
        stack="team-backend-inventory-prod",
        where="app.terraform.io/acme/shop-team-backend-inventory-prod",
        resources=7,
        outputs={},
        last_applied=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    )
    assert reader.read("clockless-dev") == WorkspaceState(
        stack="clockless-dev",
        where="app.terraform.io/acme/shop-clockless-dev",
        resources=2,
        outputs={},
        last_applied=None,
    )


def test_cloud_names_a_workspace_whose_time_is_not_rfc_3339(cloud):
    reader, serve = cloud
    broken = {
        FIRST_PAGE: {
            "data": [workspace("shop-app-dev", "ws-app", **{"resource-count": 1, "updated-at": "30/11/2026"})]
        },
        f"{API}/workspaces/ws-app/current-state-version-outputs": {"data": []},
    }
    serve(broken)
    with pytest.raises(StateUnavailable) as raised:
        reader.read("app-dev")
    assert str(raised.value) == "cloud: workspace shop-app-dev: got the time '30/11/2026', expected RFC 3339"


def test_cloud_reads_unknown_empty_and_countless_workspaces_as_no_state(cloud):
    reader, serve = cloud
    api = serve(WORKSPACES)
    assert [reader.read("platform"), reader.read("nothing-dev"), reader.read("cart-dev"), reader.read("app")] == [
        None,
        None,
        None,
        None,
    ]
    assert api.urls() == [FIRST_PAGE, SECOND_PAGE]  # no state-version request for any of them


def tagged(name: str, id: str, tags: list[str], project: str | None = None) -> dict:
    item = workspace(name, id, **{"resource-count": 1, "tag-names": tags})
    if project is not None:
        item["relationships"] = {"project": {"data": {"id": project, "type": "projects"}}}
    return item


#: One organization, two platforms whose prefixes overlap (``shop`` and ``shop-eu``), plus workspaces made by
#: ``terraform init`` (no tags) or tagged by hand: the bootstrap stack's marks decide which are ``shop``'s.
OVERLAPPING = [
    tagged("shop-platform", "ws-1", ["shop", "platform"], "prj-apps"),
    tagged("shop-john-inventory-dev", "ws-2", ["shop", "instance"], "prj-apps"),
    tagged("shop-eu-platform", "ws-3", ["shop-eu", "platform"], "prj-apps"),
    tagged("shop-eu-jane-orders-dev", "ws-4", ["shop-eu", "instance"], "prj-apps"),
    tagged("shop-cli-made-dev", "ws-5", [], "prj-apps"),
    tagged("shop-hand-tagged-dev", "ws-6", ["team-x", "cost:42"], "prj-other"),
    tagged("shop-untagged-prod", "ws-7", None),
]


def test_cloud_leaves_out_the_workspaces_the_bootstrap_made_for_another_prefix(cloud):
    reader, serve = cloud
    serve({FIRST_PAGE: {"data": OVERLAPPING}})
    assert reader.stacks() == ["cli-made-dev", "hand-tagged-dev", "john-inventory-dev", "platform", "untagged-prod"]


def test_cloud_matches_the_prefix_tag_in_lower_case(monkeypatch):
    monkeypatch.setenv("TFE_TOKEN", "tok-123")
    backend = BackendSettings(
        type="cloud", state_dir="/unused", organization="acme", hostname="app.terraform.io", workspace_prefix="Shop"
    )
    reader = CloudStates(backend)
    url = f"{API}/organizations/acme/workspaces?search%5Bname%5D=Shop-&page%5Bsize%5D=100"
    answer = [tagged("Shop-platform", "ws-1", ["shop", "platform"]), tagged("Shop-eu-dev", "ws-2", ["eu", "instance"])]
    monkeypatch.setattr(urllib.request, "urlopen", FakeApi({url: {"data": answer}}).urlopen)
    assert reader.stacks() == ["platform"]


PROJECTS = f"{API}/organizations/acme/projects?filter%5Bnames%5D=Serverless%20Apps"


def project_reader(monkeypatch, answers: dict) -> tuple[CloudStates, FakeApi]:
    monkeypatch.setenv("TFE_TOKEN", "tok-123")
    backend = BackendSettings(
        type="cloud",
        state_dir="/unused",
        organization="acme",
        hostname="app.terraform.io",
        workspace_prefix="shop",
        project="Serverless Apps",
    )
    api = FakeApi(answers)
    monkeypatch.setattr(urllib.request, "urlopen", api.urlopen)
    return CloudStates(backend), api


def test_cloud_with_a_project_reads_only_that_project_s_workspaces(monkeypatch):
    projects = {
        "data": [
            {"id": "prj-other", "type": "projects", "attributes": {"name": "Serverless Apps (old)"}},
            {"id": "prj-apps", "type": "projects", "attributes": {"name": "Serverless Apps"}},
        ]
    }
    reader, api = project_reader(monkeypatch, {PROJECTS: projects, FIRST_PAGE: {"data": OVERLAPPING}})
    assert reader.stacks() == ["cli-made-dev", "john-inventory-dev", "platform"]
    assert api.urls() == [PROJECTS, FIRST_PAGE]


@pytest.mark.parametrize(
    "answer",
    [
        {"data": [{"id": "prj-x", "type": "projects", "attributes": {"name": "serverless apps"}}]},
        {"meta": {}},  # no "data": no project of that name either, not a TypeError
        {"data": [{"id": "prj-x", "type": "projects"}]},  # a project without attributes has no name
    ],
    ids=["near-miss", "no-data", "no-attributes"],
)
def test_cloud_names_a_configured_project_that_does_not_exist(monkeypatch, answer):
    reader, api = project_reader(monkeypatch, {PROJECTS: answer})
    with pytest.raises(StateUnavailable) as raised:
        reader.stacks()
    assert str(raised.value) == (
        "cloud: platform.yaml backend.project: no project 'Serverless Apps' in organization acme on "
        "app.terraform.io, expected an existing project's name"
    )
    assert api.urls() == [PROJECTS]


def test_cloud_reads_an_answer_without_data_or_links_as_no_workspaces(cloud):
    reader, serve = cloud
    api = serve({FIRST_PAGE: {"meta": {}}})
    assert reader.stacks() == []
    assert api.urls() == [FIRST_PAGE]


def test_cloud_turns_an_http_error_into_a_one_line_error_naming_the_url(cloud):
    reader, serve = cloud
    serve({FIRST_PAGE: urllib.error.HTTPError(FIRST_PAGE, 401, "Unauthorized", {}, None)})
    with pytest.raises(StateUnavailable) as raised:
        reader.stacks()
    assert str(raised.value) == f"cloud: {FIRST_PAGE}: HTTP Error 401: Unauthorized"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_cloud_turns_an_unreadable_answer_into_a_one_line_error(cloud, monkeypatch):
    reader, _ = cloud
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: io.BytesIO(b"<html>maintenance</html>"))
    with pytest.raises(StateUnavailable) as raised:
        reader.stacks()
    assert str(raised.value) == f"cloud: {FIRST_PAGE}: Expecting value: line 1 column 1 (char 0)"


# --- choosing the reader -----------------------------------------------------------------------


def test_states_for_picks_the_reader_of_the_backend_type(tmp_path, boto3_clients, monkeypatch):
    monkeypatch.setenv("TFE_TOKEN", "tok-123")
    boto3_clients[1].append(FakeS3())
    local, s3, cloud = local_backend(tmp_path), s3_backend(), cloud_backend()
    readers = [states_for(local), states_for(s3), states_for(cloud)]
    assert [type(r) for r in readers] == [LocalStates, S3States, CloudStates]
    assert [r.backend for r in readers] == [local, s3, cloud]
