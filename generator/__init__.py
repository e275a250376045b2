"""YAML in, validated frozen model out, then names and the cdktf App (see README)."""
