"""Command-line interface: validate, synthesize and inspect the platform and its instances.

Run ``python main.py --help``. Every command validates all inputs first and
reports every problem as ``file: field: got X, expected Y``, then
``error: N problems found`` with exit code 1; nothing is written unless
everything is valid. The commands live in :mod:`generator.cli`.
"""

from generator.cli.root import cli, main

__all__ = ["cli", "main"]

if __name__ == "__main__":
    main()
