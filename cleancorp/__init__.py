"""cleancorp turns dirty scraped Chinese text into clean UTF-8 and reports every change.

>>> import cleancorp
>>> result = cleancorp.clean_text("当前位置：首页 > 散文\\n春天来了,河边的柳树发出了新芽,孩子们在草地上放风筝。")
>>> result.text
'春天来了，河边的柳树发出了新芽，孩子们在草地上放风筝。\\n'
>>> sorted({(c.filter, c.rule) for c in result.changes})
[('boilerplate', 'breadcrumb'), ('punctuation', 'cjk-ascii')]
"""

from __future__ import annotations

__version__ = "0.1.0"

from cleancorp.batch import BatchCleaner, clean_batch  # noqa: E402
from cleancorp.document import Change, Document  # noqa: E402
from cleancorp.pipeline import CleanResult, Pipeline, clean_text  # noqa: E402

__all__ = ["BatchCleaner", "Change", "CleanResult", "Document", "Pipeline", "__version__",
           "clean_batch", "clean_text"]
