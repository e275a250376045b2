"""UiPrefixCleanup: a terraform_data whose destroy-time local-exec removes exactly ``<prefix>`` (run for real on the
emulator in tests/test_ui_sync_job.py)."""

import pytest
from fixtures import synth

from modules.ui_prefix_cleanup import UiPrefixCleanup, UiPrefixCleanupProps

PROPS = UiPrefixCleanupProps(ui_bucket="acme-ui", prefix="john-inventory-dev/", region="us-east-2")


def test_destroy_time_command_reads_only_its_own_input():
    data = synth(lambda stack: UiPrefixCleanup(stack, "prefix-cleanup", PROPS)).one("terraform_data")
    assert data["input"] == {"bucket": "acme-ui", "prefix": "john-inventory-dev/", "region": "us-east-2"}
    assert data["provisioner"] == [
        {
            "local-exec": {
                "command": 'aws s3 rm "s3://${self.input.bucket}/${self.input.prefix}" --recursive'
                " --region ${self.input.region} --only-show-errors",
                "when": "destroy",
            }
        }
    ]


@pytest.mark.parametrize("prefix", ["", "/", "john-inventory-dev", "*/"])
def test_never_the_buckets_root(prefix):
    with pytest.raises(ValueError, match="expected '<base>/'"):
        synth(
            lambda stack: UiPrefixCleanup(stack, "prefix-cleanup", UiPrefixCleanupProps("acme-ui", prefix, "us-east-2"))
        )


@pytest.mark.parametrize("prefix", ["a/", "X/", "team/app-dev/"])
def test_any_base_ending_in_a_slash_is_taken(prefix):
    """Only the bucket's root and wildcards are refused: a one-letter base, any letter, or a nested one is a prefix."""
    data = synth(
        lambda stack: UiPrefixCleanup(stack, "prefix-cleanup", UiPrefixCleanupProps("acme-ui", prefix, "us-east-2"))
    ).one("terraform_data")
    assert data["input"]["prefix"] == prefix
