"""The clinical reference page: every instrument, threshold and rule that Stride applies, each
with its source, generated from the package data itself (so it cannot drift from the code).

``stride reference`` prints it as Markdown; the web app serves it at ``/reference``; the copy in
``docs/clinical-rules.md`` is checked by a test to be current. ``document.py`` writes the page,
``activity.py`` its activity sections, ``review.py`` the weekly review, ``markdown.py`` the tables
and cells they share.
"""

from __future__ import annotations

from stride.clinical.reference.document import rules_markdown
from stride.clinical.reference.markdown import STATUS_LABELS

__all__ = ["STATUS_LABELS", "rules_markdown"]
