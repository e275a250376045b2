"""CDKTF constructs and stacks: the only package that imports provider classes.

One construct per file, each ``(scope, id, props)`` with a frozen props
dataclass. Stacks receive the validated model from :mod:`generator`; nothing
here reads files or the environment.
"""
