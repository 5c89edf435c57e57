"""cleancorp turns dirty scraped Chinese text into clean UTF-8 and reports every change.

>>> import cleancorp
>>> cleancorp.clean_text("正文\\u200b第一段。").text
'正文第一段。\\n'
"""

from __future__ import annotations

__version__ = "0.1.0"

from cleancorp.document import Change, Document  # noqa: E402
from cleancorp.pipeline import CleanResult, Pipeline, clean_text  # noqa: E402

__all__ = ["Change", "CleanResult", "Document", "Pipeline", "__version__", "clean_text"]
