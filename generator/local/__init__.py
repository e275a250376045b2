"""``python main.py local``: apply the whole platform and every app, for real, on an embedded AWS emulator.

Real Terraform and the real AWS provider run against moto's server on
127.0.0.1. Everything lives in a working folder (default ``.local/`` beside
platform.yaml, gitignored): a copy of the project for the emulator target, the
synthesized stacks, their state, Terraform's logs and the emulator's own data.
The user's files are never modified. See docs/local.md.
"""
