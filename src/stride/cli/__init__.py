"""The command line: Typer commands, as thin as the web routes."""
