from __future__ import annotations

from typing import Any

import pytest
from tests.web.conftest import use_plain_static_storage


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Any) -> None:
    use_plain_static_storage(settings)
