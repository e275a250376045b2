"""``graph`` on small hand-made synthesized stacks (the cdktf JSON shape): which references become edges,
how resources are grouped under their top-level construct, the whole Mermaid text, and reading a stack's
``cdk.tf.json`` from the synth output.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from helpers import copy_project

from generator.workflow.graph import StackUnreadable, _nodes, _safe_id, edges, mermaid, stack_document
from main import cli

STACK = "demo-stack"


def meta(path: str, **extra: str) -> dict:
    """The ``//`` block cdktf writes into every resource."""
    return {"//": {"metadata": {"path": path, **extra}}}


@pytest.fixture
def document() -> dict:
    """A stack whose sections, kinds and names are written out of sorted order."""
    return {
        "terraform": {"backend": {"local": {"path": "state.tfstate"}}},
        "data": {
            "terraform_remote_state": {
                "platform": {**meta("demo-stack/platform"), "backend": "local"},
            },
        },
        "resource": {
            "aws_lambda_function": {
                "handler": {
                    **meta("demo-stack/function/handler"),
                    "role": "${aws_iam_role.exec.arn}",
                    "environment": [
                        {
                            "variables": {
                                "TABLE": "${aws_dynamodb_table.items.name}",
                                "BUNDLE": "${data.terraform_remote_state.platform.outputs.bucket}",
                            }
                        }
                    ],
                    # two references in one string, one of them already found elsewhere
                    "description": "${aws_iam_role.exec.name}-${aws_dynamodb_table.items.arn}",
                    "depends_on": ["aws_iam_role_policy.logs"],
                },
            },
            "aws_iam_role_policy": {
                "logs": {**meta("demo-stack/function/logs"), "role": "${aws_iam_role.exec.id}"},
            },
            "aws_iam_role": {
                # a reference-shaped string in the metadata is no dependency
                "exec": {**meta("demo-stack/function/exec-role", note="aws_dynamodb_table.items"), "name": "exec"},
            },
            "aws_dynamodb_table": {
                "items": {
                    **meta("demo-stack/table/items"),
                    # a variable is no node; the table naming itself is no dependency
                    "name": "items-${var.suffix}",
                    "tags": {"self": "${aws_dynamodb_table.items.id}"},
                },
            },
            "aws_apigatewayv2_api": {
                "http": {**meta("demo-stack/ui-sync.v2/http api/default"), "name": "prefix-aws_iam_role.exec"},
            },
            "terraform_data": {
                "marker": {"input": "${aws_apigatewayv2_api.http.id}"},
                "foreign": {**meta("other-stack/table/foreign"), "input": "${aws_lambda_function.handler.arn}"},
            },
        },
    }


def test_nodes_lists_resources_then_data_sources_sorted_by_kind_and_name(document):
    nodes = _nodes(document)
    assert list(nodes) == [
        "aws_apigatewayv2_api.http",
        "aws_dynamodb_table.items",
        "aws_iam_role.exec",
        "aws_iam_role_policy.logs",
        "aws_lambda_function.handler",
        "terraform_data.foreign",
        "terraform_data.marker",
        "data.terraform_remote_state.platform",
    ]
    assert nodes["data.terraform_remote_state.platform"] == {
        "type": "terraform_remote_state",
        "path": "demo-stack/platform",
        "body": {"//": {"metadata": {"path": "demo-stack/platform"}}, "backend": "local"},
    }
    # no "//" block: the path is the resource's name
    assert nodes["terraform_data.marker"] == {
        "type": "terraform_data",
        "path": "marker",
        "body": {"input": "${aws_apigatewayv2_api.http.id}"},
    }


def test_nodes_without_metadata_path_fall_back_to_the_name():
    document = {
        "resource": {
            "null_resource": {
                "no_metadata": {"//": {"other": 1}},
                "no_path": {"//": {"metadata": {"uniqueId": "x"}}},
            }
        }
    }
    assert _nodes(document) == {
        "null_resource.no_metadata": {"type": "null_resource", "path": "no_metadata", "body": {"//": {"other": 1}}},
        "null_resource.no_path": {
            "type": "null_resource",
            "path": "no_path",
            "body": {"//": {"metadata": {"uniqueId": "x"}}},
        },
    }


def test_nodes_of_a_stack_with_only_data_sources_or_only_resources():
    assert _nodes({"data": {"aws_region": {"here": {}}}}) == {
        "data.aws_region.here": {"type": "aws_region", "path": "here", "body": {}}
    }
    assert _nodes({"resource": {"aws_s3_bucket": {"b": {}}}}) == {
        "aws_s3_bucket.b": {"type": "aws_s3_bucket", "path": "b", "body": {}}
    }
    assert _nodes({}) == {}


def test_edges_follow_references_and_depends_on_to_known_nodes_only(document):
    assert edges(document) == {
        "aws_apigatewayv2_api.http": set(),
        "aws_dynamodb_table.items": set(),
        "aws_iam_role.exec": set(),
        "aws_iam_role_policy.logs": {"aws_iam_role.exec"},
        "aws_lambda_function.handler": {
            "aws_dynamodb_table.items",
            "aws_iam_role.exec",
            "aws_iam_role_policy.logs",
            "data.terraform_remote_state.platform",
        },
        "terraform_data.foreign": {"aws_lambda_function.handler"},
        "terraform_data.marker": {"aws_apigatewayv2_api.http"},
        "data.terraform_remote_state.platform": set(),
    }


def test_edges_ignore_the_metadata_block_and_text_glued_to_a_name():
    document = {
        "resource": {
            "aws_iam_role": {"r": {"//": {"metadata": {"path": "s/r", "ref": "${aws_s3_bucket.b.arn}"}}}},
            "aws_s3_bucket": {"b": {"policy": "arn:aws:s3:::x.aws_iam_role.r/y-aws_iam_role.r"}},
        },
        "data": {"aws_iam_role": {"r": {"name": "${aws_iam_role.r.name}"}}},
    }
    # a data source and a resource of the same kind and name are two nodes
    assert edges(document) == {
        "aws_iam_role.r": set(),
        "aws_s3_bucket.b": set(),
        "data.aws_iam_role.r": {"aws_iam_role.r"},
    }


def test_mermaid_groups_by_top_level_construct_and_points_arrows_at_the_dependent(document):
    assert mermaid(document, STACK) == (
        "%% Resources of workspace demo-stack and what each depends on (an arrow points at the dependent).\n"
        "flowchart TD\n"
        '    n5["table/foreign<br/><small>terraform_data</small>"]\n'
        '    n6["terraform_data.marker<br/><small>terraform_data</small>"]\n'
        '    n7[("platform<br/><small>terraform_remote_state</small>")]\n'
        '    subgraph g_function["function"]\n'
        '        n2["function/exec-role<br/><small>aws_iam_role</small>"]\n'
        '        n3["function/logs<br/><small>aws_iam_role_policy</small>"]\n'
        '        n4["function/handler<br/><small>aws_lambda_function</small>"]\n'
        "    end\n"
        '    subgraph g_table["table"]\n'
        '        n1["table/items<br/><small>aws_dynamodb_table</small>"]\n'
        "    end\n"
        '    subgraph g_ui_sync_v2["ui-sync.v2"]\n'
        '        n0["ui-sync.v2/http api/default<br/><small>aws_apigatewayv2_api</small>"]\n'
        "    end\n"
        "    n2 --> n3\n"
        "    n1 --> n4\n"
        "    n2 --> n4\n"
        "    n3 --> n4\n"
        "    n7 --> n4\n"
        "    n4 --> n5\n"
        "    n0 --> n6\n"
    )


def test_mermaid_of_an_empty_stack_is_the_header_only():
    assert mermaid({}, "empty") == (
        "%% Resources of workspace empty and what each depends on (an arrow points at the dependent).\nflowchart TD\n"
    )


def test_mermaid_labels_a_path_of_one_segment_with_the_address():
    document = {
        "resource": {"aws_sqs_queue": {"q": meta("q")}},
        "data": {"aws_caller_identity": {"me": {**meta("lonely/me"), "x": "${aws_sqs_queue.q.url}"}}},
    }
    assert mermaid(document, "lonely") == (
        "%% Resources of workspace lonely and what each depends on (an arrow points at the dependent).\n"
        "flowchart TD\n"
        '    n0["aws_sqs_queue.q<br/><small>aws_sqs_queue</small>"]\n'
        '    n1[("me<br/><small>aws_caller_identity</small>")]\n'
        "    n0 --> n1\n"
    )


def test_safe_id_replaces_every_character_outside_letters_digits_and_underscore():
    assert _safe_id("Ui-Sync v2.0_x/é") == "g_Ui_Sync_v2_0_x__"


def test_stack_document_reads_the_stack_file_of_the_synth_output(tmp_path):
    folder = tmp_path / "stacks" / STACK
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text('{"resource": {"terraform_data": {"a": {}}}}')
    assert stack_document(tmp_path, STACK) == {"resource": {"terraform_data": {"a": {}}}}


def test_stack_document_of_a_stack_that_was_not_synthesized_is_none(tmp_path):
    assert stack_document(tmp_path, STACK) is None
    (tmp_path / "stacks" / STACK / "cdk.tf.json").mkdir(parents=True)  # a folder is no stack file
    assert stack_document(tmp_path, STACK) is None


def test_a_broken_stack_file_is_named_in_one_line(tmp_path):
    folder = tmp_path / "stacks" / STACK
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text("{not json")
    with pytest.raises(StackUnreadable) as raised:
        stack_document(tmp_path, STACK)
    assert str(raised.value) == (
        f"{folder / 'cdk.tf.json'}: got unreadable JSON (Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)), expected a synthesized stack (synth again)"
    )
    (folder / "cdk.tf.json").write_bytes(b"\xff")
    with pytest.raises(StackUnreadable, match=r"cdk\.tf\.json: got unreadable JSON \('utf-8' codec can't decode"):
        stack_document(tmp_path, STACK)


def test_graph_of_a_broken_stack_file_is_one_error_line_naming_it(tmp_path):
    root = copy_project(tmp_path / "project")
    stack_file = tmp_path / "out" / "stacks" / "john-inventory-dev" / "cdk.tf.json"
    stack_file.parent.mkdir(parents=True)
    stack_file.write_text('{"resource": {')
    result = CliRunner().invoke(
        cli, ["--root", str(root), "graph", "john-inventory-dev", "--out", str(tmp_path / "out")]
    )
    assert (result.exit_code, result.output) == (
        1,
        f"error: {stack_file}: got unreadable JSON (Expecting property name enclosed in double quotes: line 1 "
        "column 15 (char 14)), expected a synthesized stack (synth again)\n",
    )
