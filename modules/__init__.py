"""CDKTF constructs and stacks: the only package that imports provider classes.

Despite the folder's name (fixed by the project layout), nothing here is a
Terraform module: each file is a CDKTF construct (or a stack of them) that
synthesizes plain resources into the stack's JSON.

One construct per file, each ``(scope, id, props)`` with a frozen props
dataclass. Stacks receive the validated model from :mod:`generator`'s plain data layer
(model, naming, locations, assets); nothing here reads files or the environment,
and import-linter (pyproject.toml) keeps it that way.
"""

# Before any construct imports a provider class: load only the provider submodules in use (see _provider_loader).
from ._provider_loader import install as _install_provider_loader

_install_provider_loader()
