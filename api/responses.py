"""orjson-encoded JSON responses (FastAPI's own JSON is deprecated)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


def _default(value: Any) -> Any:
    if hasattr(value, "__dict__"):
        return vars(value)
    return str(value)


class JSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_default, option=orjson.OPT_NON_STR_KEYS)
