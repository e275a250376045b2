"""Synthesize one construct alone for tests/constructs/: CDKTF's Testing API in a bare stack.

``Testing.synth_scope`` takes a JavaScript callback, which jsii cannot receive from Python
("fn is not a function"), so the construct is added to ``Testing.app()``'s stack and the
stack is synthesized with ``Testing.synth``: the same JSON, parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from generator.runtime import configure_node


def synth_scope(build: Callable[[object], object]) -> dict:
    configure_node()
    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "test")
    build(stack)
    return json.loads(Testing.synth(stack))
