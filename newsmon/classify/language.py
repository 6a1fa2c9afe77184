"""Language identification for the classifier.

English is checked first with a cheap function-word count, because almost
all traffic is English and the statistical model costs more than the rest of
classification. Everything else goes to py3langid, whose model ships inside
the package (no download). The model is loaded lazily on the first
non-English text; if py3langid is missing, detection degrades to "und"
(undetermined) and a warning is logged once.
"""

from __future__ import annotations

import logging
import re
from typing import Any

logger = logging.getLogger(__name__)

_EN_WORDS = (" the ", " of ", " and ", " to ", " in ", " is ", " was ", " for ", " that ", " said ", " with ", " on ")
_FOREIGN_WORDS = (
    " le ",
    " la ",
    " les ",
    " des ",
    " der ",
    " die ",
    " und ",
    " das ",
    " el ",
    " los ",
    " las ",
    " que ",
    " del ",
    " est ",
    " ist ",
    " une ",
    " por ",
)
_SAMPLE = 800
_NON_LATIN = re.compile("[^\u0000-\u024f\u2000-\u206f]")


class LanguageDetector:
    """ISO 639-1 code for a text, or "und"."""

    def __init__(self) -> None:
        self._model: Any = None
        self._failed = False

    def _load(self) -> Any:
        if self._model is None and not self._failed:
            try:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                self._model = LanguageIdentifier.from_model_file(MODEL_FILE)
            except Exception:  # the classifier must keep working without it
                logger.warning("py3langid unavailable; non-English text is reported as 'und'", exc_info=True)
                self._failed = True
        return self._model

    def warm(self) -> None:
        """Load the statistical model now (start-up) rather than on first use."""
        self._load()

    @staticmethod
    def looks_english(sample: str) -> bool:
        low = f" {sample.lower()} "
        hits = 0
        for w in _EN_WORDS:
            if w in low:
                hits += 1
                if hits >= 4:
                    break
        if sample.isascii():
            # Short wire tables ("Shr 1.11 dlrs vs 1.04 dlrs") have few function
            # words; plain ASCII without foreign function words is English.
            return hits >= 4 or not any(w in low for w in _FOREIGN_WORDS)
        if hits < 4:
            return False
        # Latin letters with accents are fine; other scripts mean another language.
        return len(_NON_LATIN.findall(sample)) * 20 < len(sample)

    def detect(self, title: str, body: str) -> str:
        sample = (title + "\n" + body)[:_SAMPLE]
        if not sample.strip():
            return "und"
        if self.looks_english(sample):
            return "en"
        model = self._load()
        if model is None:
            return "und"
        lang, _score = model.classify(sample)
        return str(lang)
