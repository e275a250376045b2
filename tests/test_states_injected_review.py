"""A hole found by a hand-injected bug round on generator/states.py: the local backend's reader is strict, so an
unreadable state file is an error, never a stack without resources that ``down`` or a plan would skip."""

from __future__ import annotations

import pytest

from generator.model import BackendSettings
from generator.states import LocalStates, StateUnavailable


def test_the_local_reader_refuses_an_unreadable_state_file_instead_of_reading_it_as_empty(tmp_path):
    """Read leniently, a damaged state would count as empty and its stack's resources would be left running."""
    folder = tmp_path / "terraform-state"
    folder.mkdir()
    (folder / "platform.tfstate").write_text('{"resources": [')
    reader = LocalStates(BackendSettings(type="local", state_dir=str(folder)))
    with pytest.raises(StateUnavailable) as err:
        reader.read("platform")
    assert str(err.value).startswith(f"{folder / 'platform.tfstate'}: got unreadable state (")
    assert str(err.value).endswith("), expected Terraform state JSON")
