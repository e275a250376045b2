"""No secret, credential, account id or machine path from the developer's environment reaches cdktf.out.

A real ``main.py synth`` process runs with fake AWS credentials, account ids,
tokens, a fake HOME and user in its environment, from a deep machine-specific
folder (tests/hostile/support.py: ``hostile_env_synth``). Every file of the
output is searched, including the members of every zip (compressed bytes would
hide a leak from a plain search).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hostile.support import as_folder, hostile_env_synth

from generator.outfolder import MARKER

#: Twelve decimal digits standing alone: an account id. A run inside a hex digest (an object's md5, an asset's
#: hash) is not one, so hex digits on either side rule it out.
ACCOUNT_ID = re.compile(r"(?<![0-9a-fA-F])[0-9]{12}(?![0-9a-fA-F])")
#: Our own 12-hex-digit content hashes, which can be all decimal digits by chance (about 1 in 280): the UI
#: template's file names (``app.<hash>.js``) and its prefix (``ui/<template>-<hash>/``).
CONTENT_HASHES = re.compile(r"\.[0-9a-f]{12}\.(?:js|css)\b|\bui/[a-z0-9-]+-[0-9a-f]{12}/")


def account_ids(text: str) -> list[str]:
    """The account ids in ``text``, our content hashes left out."""
    return ACCOUNT_ID.findall(CONTENT_HASHES.sub("", text))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('"arn:aws:iam::123456789012:role/x"', ["123456789012"]),
        ('"owner": "123456789012"', ["123456789012"]),
        ('"bucket": "acme-logs-123456789012"', ["123456789012"]),
        ('"arn:aws:s3:::acme-logs-123456789012/*"', ["123456789012"]),
        ('"md5": "a190c63b604387555685da1cdb910ce5"', []),
        ('"md5": "604387555685da1cdb910ce5a190c63b"', []),
        ('"key": "ui/inventory-604387555685/app.604387555685.js"', []),
        ('"styles.604387555685.css"', []),
        ("1234567890123", []),
    ],
    ids=["arn", "owner", "bucket", "bucket-arn", "md5", "md5-start", "template", "styles", "thirteen-digits"],
)
def test_an_account_id_is_twelve_digits_alone_never_a_run_inside_a_hash(text, found):
    assert account_ids(text) == found


def _texts(out: Path) -> dict[str, bytes]:
    """Every file's bytes; zip archives also contribute each member's name and bytes."""
    found = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        relative = path.relative_to(out).as_posix()
        found[relative] = path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    found[f"{relative}!{member.filename}"] = member.filename.encode() + b"\n" + archive.read(member)
    return found


@pytest.fixture(scope="module")
def output() -> tuple[Path, dict[str, str]]:
    return hostile_env_synth()


def test_output_holds_no_environment_secret_or_machine_path(output) -> None:
    out, forbidden = output
    files = _texts(out)
    assert any(name.endswith("cdk.tf.json") for name in files) and any("!" in name for name in files)
    leaks = [
        f"{name}: {what}" for name, data in files.items() for what, value in forbidden.items() if value.encode() in data
    ]
    assert leaks == []


def test_output_holds_no_account_id_or_access_key_at_all(output) -> None:
    """Not only the planted values: no 12-digit account id and no AWS access key id of any kind."""
    out, _ = output
    for name, data in _texts(out).items():
        if "!" in name:
            continue  # app code inside the bundle may legitimately contain digits
        text = data.decode("utf-8", "replace")
        if name.endswith(MARKER):
            # Two SHA-256 hex digests of our own inputs (generator.cache): a run of 12 decimal digits can occur
            # in hex by chance. The planted-values test above still scans this file.
            assert re.fullmatch(r"inputs [0-9a-f]{64}\noutput [0-9a-f]{64}\n", text), name
            continue
        assert account_ids(text) == [] or name.endswith(".zip"), name
        assert not re.search(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b", text), name


def test_zip_members_are_relative_paths(output) -> None:
    out, _ = output
    members = [name.split("!", 1)[1] for name in _texts(out) if "!" in name]
    assert members and all(not m.startswith("/") and ".." not in m.split("/") for m in members), members


@pytest.mark.parametrize(
    ("path", "searched"),
    [("/", None), ("//", None), ("", None), ("/root", "/root"), ("/home/jane/", "/home/jane"), ("/usr", "/usr")],
)
def test_machine_paths_are_searched_and_root_is_not_one(path, searched):
    """HOME=/ (or a python prefix of /) must not make every absolute path in the output a "leak"."""
    assert as_folder(path) == searched
