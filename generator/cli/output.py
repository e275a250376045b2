"""What every command prints: one error type and format, one table printer, JSON.

Exit codes (the same for every command): 0 done; 1 a problem was found or a
step failed (the last line on stderr says which, as ``error: ...``); 2 a usage
error (click's: unknown option, missing argument) or, with
``plan --detailed-exitcode``, "everything worked and something changes".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

import click

#: Exit code of a problem found or a failed step.
EXIT_FAILED = 1


class CliError(click.ClickException):
    """The one error the commands raise: ``details`` lines (e.g. one per problem), then ``error: <message>``."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, details: Iterable[str] = ()):
        super().__init__(message)
        self.details = tuple(details)

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.details:
            click.echo(line, err=True)
        click.echo(f"error: {self.message}", err=True)


def problems_found(problems: Sequence[object], consequence: str | None = "nothing was written") -> CliError:
    """Validation problems (each ``file: field: got X, expected Y``) as one CLI error, closing with
    ``error: N problems found; <consequence>`` (``validate`` writes nothing, so it names no consequence)."""
    count = len(problems)
    found = f"{count} problem{'s' if count != 1 else ''} found"
    return CliError(f"{found}; {consequence}" if consequence else found, [str(p) for p in problems])


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
