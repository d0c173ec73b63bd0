"""The web shell: FastAPI app factory, JSON API under /api/v1, server-rendered pages, static assets."""
