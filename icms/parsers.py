"""The JSON the REST API accepts (settings.REST_FRAMEWORK). Kept apart from icms.api: DRF reads
this setting while its views are being imported, so this module may not import them."""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's parser, but JSON nested too deeply for Python's parser (a body of 100,000 `[`) is
    refused as any other malformed JSON is, instead of escaping as a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None) -> object:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
