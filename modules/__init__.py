"""CDKTF constructs and stacks: the only package that imports provider classes.

One construct per file, each ``(scope, id, props)`` with a frozen props
dataclass. Stacks receive the validated model from :mod:`generator`; nothing
here reads files or the environment.
"""

# Before any construct imports a provider class: load only the provider submodules in use (see _provider_loader).
from ._provider_loader import install as _install_provider_loader

_install_provider_loader()
