"""The team workflow around the generated workspaces: backends, changed, plan, orphans, diff, status, graph.

Nothing here imports cdktf or a provider package, so every command except
``synth`` answers in well under a second.
"""
