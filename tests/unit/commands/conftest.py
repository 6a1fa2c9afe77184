from __future__ import annotations

import pytest

from newsmon.classify import Classifier


@pytest.fixture(scope="session")
def clf() -> Classifier:
    return Classifier.load()
