"""Example site pack for cartguard (a fictional hospital). See README.md beside pyproject.toml."""
