"""The API's JSON parser: DRF's, with the nesting depth bounded.

The body's size is bounded before parsing: DRF reads it through Django's
`request.body`, which refuses more than DATA_UPLOAD_MAX_MEMORY_SIZE bytes
(answered 413 `payload_too_large` by shop.api.errors).
"""

import io
import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# A JSON string (quotes and backslashes are ASCII, so bytes will do): brackets
# inside strings are text, not structure.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(rb"[^\[\]{}]")
_OPENING = frozenset(b"[{")


def nesting_depth_exceeds(raw: bytes, limit: int) -> bool:
    depth = 0
    for byte in _NOT_A_BRACKET.sub(b"", _STRING.sub(b"", raw)):
        depth += 1 if byte in _OPENING else -1
        if depth > limit:
            return True
    return False


class JSONParser(parsers.JSONParser):
    """Refuses documents nested deeper than settings.API_JSON_MAX_DEPTH before
    decoding them: the decoder recurses once per level."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        limit = settings.API_JSON_MAX_DEPTH
        if nesting_depth_exceeds(raw, limit):
            raise ParseError(f"JSON parse error - nested deeper than {limit} levels.")
        return super().parse(io.BytesIO(raw), media_type, parser_context)
