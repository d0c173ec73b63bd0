"""Server-rendered pages (Jinja2 + HTMX). Each route: parse the form, one service call, render."""
