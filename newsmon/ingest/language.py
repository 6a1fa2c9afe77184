"""Language of an article that arrived without one (normalization).

Reuses the classifier's detector (English fast path, then py3langid, whose
model ships in the package) so the worker detects each article once: the
classifier trusts a language set here. Returns None when the text is
undetermined or the classifier package is unavailable; the classifier then
decides on its own.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_detector: Any = None
_unavailable = False


def use_detector(detector: Any) -> None:
    """Detect with ``detector`` (a ``LanguageDetector``) from now on.

    The worker passes its classifier's detector at start-up, where the model
    is already loaded: otherwise normalization loads a second copy, and does
    so on the first foreign-looking article, stalling the stream for about
    half a second.
    """
    global _detector, _unavailable
    _detector = detector
    _unavailable = False


def detect_language(title: str, body: str) -> str | None:
    """ISO 639-1 code, or None when undetermined."""
    global _detector, _unavailable
    if _unavailable:
        return None
    if _detector is None:
        try:
            from newsmon.classify.language import LanguageDetector
        except ImportError:
            logger.warning("language detection unavailable (newsmon.classify.language missing)")
            _unavailable = True
            return None
        _detector = LanguageDetector()
    lang = _detector.detect(title, body)
    return None if not lang or lang == "und" else str(lang)
