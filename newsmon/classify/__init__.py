"""Region and topic classification engine (plain Python, no Faust).

``Classifier.load()`` once, then ``classify(title, body, language=None)`` per
article; see :mod:`newsmon.classify.engine` for how scores are made.
"""

from newsmon.classify.engine import Classifier
from newsmon.classify.lexicon import LexiconError

__all__ = ["Classifier", "LexiconError"]
