"""Construct tests: point jsii at a supported Node before anything imports cdktf (once per pytest session)."""

from __future__ import annotations

from generator.runtime import configure_node

configure_node()

import cdktf  # noqa: E402  (after configure_node)

# The test files import cdktf.Testing by name; it is a helper class, not a pytest test class.
cdktf.Testing.__test__ = False
