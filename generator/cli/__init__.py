"""The command-line interface: one click group (``root.cli``), a typed context, one error type, one printer.

Commands live in files by topic (project, synth, workflow, local) as top-level
functions; ``main.py`` only calls :func:`generator.cli.root.main`.
"""
