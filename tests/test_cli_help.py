"""Every command's ``--help``, as a user reads it, against one snapshot (tests/golden/cli_help.txt).

The help is the CLI's reference: each option's name, metavar, default and sentence. A change to any of them
shows up as a diff of the snapshot in review. After an intended change, refresh with exactly:

    UPDATE_GOLDEN=1 python -m pytest tests/test_cli_help.py

(any other value of UPDATE_GOLDEN fails, as for the stack snapshots).
"""

from __future__ import annotations

from click.testing import CliRunner
from helpers import REPO
from test_cli_contract import COMMANDS
from test_golden import update_requested

from main import cli

SNAPSHOT = REPO / "tests" / "golden" / "cli_help.txt"


def help_text() -> str:
    """``main.py [COMMAND ...] --help`` for the group and every command, at a fixed 100-column terminal."""
    parts = []
    for path in [(), *(path for path, _command in COMMANDS)]:
        result = CliRunner().invoke(cli, [*path, "--help"], prog_name="main.py", env={"COLUMNS": "100"})
        assert result.exit_code == 0, result.output
        parts.append(f"$ main.py {' '.join((*path, '--help'))}\n{result.stdout}")
    return "\n".join(parts)


def test_every_commands_help_matches_the_snapshot():
    actual = help_text()
    if update_requested():
        SNAPSHOT.write_text(actual)
    refresh = "UPDATE_GOLDEN=1 python -m pytest tests/test_cli_help.py"
    assert SNAPSHOT.is_file(), f"no snapshot: run {refresh}"
    assert actual == SNAPSHOT.read_text(), f"a command's help changed: review the diff, then refresh with {refresh}"
