"""What every command prints: one error type and format, one table printer, JSON; the exit codes.

Exit codes (the same for every command):

* 0: done (for ``orphans``: no orphaned workspace);
* 1: a problem was found or a step failed: invalid input, a failed workspace, a replacing edit
  without ``--allow-replace``, orphaned workspaces found; the last line on stderr says which, as
  ``error: <message>``;
* 2: a usage error (click's: unknown option, missing argument) or, with
  ``plan --detailed-exitcode``, "everything worked and something changes".

With ``--json`` stdout holds exactly one JSON document: the command's result, or on exit 1 and 2
(usage) ``{"error": <the error line's message>, "problems": [...], ...}`` with the result so far
under its own key (e.g. ``workspaces``, ``orphans``). Progress and the text error go to stderr.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

import click

#: Exit code of a finished command.
EXIT_OK = 0
#: Exit code of a problem found or a failed step.
EXIT_FAILED = 1
#: Exit code of a usage error (and of ``plan --detailed-exitcode`` with changes pending).
EXIT_USAGE = 2


class CliError(click.ClickException):
    """The one error the commands raise: ``details`` lines (e.g. one per problem), then ``error: <message>``.

    ``problems`` is what ``--json`` shows under "problems" (default: the detail lines); ``result``
    adds keys to that JSON document (the result the command got before it failed).
    """

    exit_code = EXIT_FAILED

    def __init__(
        self,
        message: str,
        details: Iterable[str] = (),
        problems: Sequence[object] | None = None,
        result: Mapping[str, object] | None = None,
    ):
        super().__init__(message)
        self.details = tuple(details)
        self.problems = list(problems) if problems is not None else list(self.details)
        self.result = dict(result or {})

    def document(self) -> dict[str, object]:
        return {"error": self.message, "problems": self.problems, **self.result}

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.details:
            click.echo(line, err=True)
        click.echo(f"error: {self.message}", err=True)


def report(error: click.ClickException, as_json: bool) -> None:
    """Print a failed command's error: the text on stderr and, with ``--json``, its JSON document on stdout."""
    if as_json:
        if isinstance(error, CliError):
            document = error.document()
        else:
            document = {"error": one_line(error), "problems": []}
        print_json(document)
    error.show()  # stderr: the detail lines and ``error: ...``, or click's usage line and ``Error: ...``


def one_line(error: click.ClickException) -> str:
    return " ".join(error.format_message().split())


def os_error_line(error: OSError) -> str:
    """What failed and where, on one line: ``<file>: <reason>``."""
    where = " -> ".join(str(name) for name in (error.filename, error.filename2) if name is not None)
    reason = error.strerror or str(error)
    return f"{where}: {reason}" if where else reason


def problems_found(problems: Sequence[object], consequence: str | None = None) -> CliError:
    """Validation problems (each ``file: field: got X, expected Y``) as one CLI error, closing with
    ``error: N problem(s) found`` and, from a command that would have written or started something,
    ``; <consequence>`` (e.g. "nothing was written")."""
    count = len(problems)
    found = f"{count} problem{'s' if count != 1 else ''} found"
    structured = [vars(p) if hasattr(p, "__dataclass_fields__") else str(p) for p in problems]
    return CliError(f"{found}; {consequence}" if consequence else found, [str(p) for p in problems], structured)


def print_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def print_table(rows: Sequence[Mapping[str, object]], columns: Sequence[tuple[str, str]]) -> None:
    """Rows as aligned columns; ``columns`` are (key, title) pairs. Nothing but the header when empty."""
    cells = [[str(row.get(key, "-")) for key, _ in columns] for row in rows]
    widths = [max([len(title)] + [len(c[i]) for c in cells]) for i, (_, title) in enumerate(columns)]
    click.echo("  ".join(title.ljust(w) for (_, title), w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(value.ljust(w) for value, w in zip(row, widths, strict=True)).rstrip())


def print_rows(rows: Sequence[Mapping[str, object]], columns: Sequence[tuple[str, str]], as_json: bool) -> None:
    """A command's result: the table, or with ``--json`` every field of every row."""
    if as_json:
        print_json(list(rows))
    else:
        print_table(rows, columns)
