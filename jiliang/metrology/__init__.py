"""Pure rules and maths from regulations and standards.

Nothing here imports Django or any app (an import-linter contract in pyproject.toml enforces it). Each rule is a
plain, typed function whose docstring names the clause it implements and carries a worked example.
"""
