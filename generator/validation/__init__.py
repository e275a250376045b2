"""Validation: the strict YAML reader, the field tables and the cross-file rules that build the frozen model.

Everything here runs before anything is synthesized and reports every problem
at once as ``file: field: got X, expected Y`` (:class:`generator.errors.Problem`).
"""
