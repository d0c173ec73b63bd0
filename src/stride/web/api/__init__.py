"""JSON API under /api/v1 (OpenAPI at /openapi.json). Each route: parse, one service call, map."""
