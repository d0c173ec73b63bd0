"""Repositories: the only place that builds queries. Each maps rows to ``stride.domain`` objects."""
