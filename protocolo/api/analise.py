"""The one body the API reads: JSON. A nesting too deep for Python's decoder is refused like any
malformed body (400), not a RecursionError."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class Json(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON inválido: aninhamento profundo demais.") from None
