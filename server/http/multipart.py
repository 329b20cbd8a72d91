"""Stream the first file of a multipart/form-data body without spooling it first.

Starlette's ``request.form()`` writes a whole upload to a temporary file before the
route sees it, so a size limit could only be checked after the disk filled up. Here the
body is parsed as it arrives and the file's bytes are handed on chunk by chunk; the
caller enforces its limit while streaming.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from common.errors import InvalidInput
from common.i18n import N_

__all__ = ["FilePart", "first_file_part"]

NOT_MULTIPART = N_("Send the file as multipart/form-data.")
BAD_MULTIPART = N_("The multipart body is malformed.")
NO_FILE = N_("The request contains no file.")


@dataclass(slots=True)
class _State:
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    headers: dict[bytes, bytes] = field(default_factory=dict)
    #: The file part being read: None before it, False after it.
    in_file: bool | None = None
    file_name: str | None = None
    field_name: str | None = None
    pending: list[bytes] = field(default_factory=list)
    done: bool = False


@dataclass(frozen=True, slots=True)
class FilePart:
    field_name: str
    file_name: str
    chunks: AsyncIterator[bytes]


async def first_file_part(request: Request) -> FilePart:
    """The first part with a file name; its ``chunks`` must be consumed to the end."""
    content_type, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InvalidInput(NOT_MULTIPART, error_code="INVALID_INPUT")
    state = _State()

    def header_end() -> None:
        state.headers[bytes(state.header_field).lower()] = bytes(state.header_value)
        state.header_field.clear()
        state.header_value.clear()

    def headers_finished() -> None:
        _disposition, params = parse_options_header(state.headers.get(b"content-disposition"))
        name = params.get(b"filename")
        if state.in_file is None and name is not None:
            state.in_file = True
            state.file_name = name.decode("utf-8", "replace")
            state.field_name = params.get(b"name", b"").decode("utf-8", "replace")
        state.headers.clear()

    def part_data(data: bytes, start: int, end: int) -> None:
        if state.in_file is True:
            state.pending.append(bytes(data[start:end]))

    def part_end() -> None:
        if state.in_file is True:
            state.in_file = False

    def end() -> None:
        state.done = True

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": lambda d, s, e: state.header_field.extend(d[s:e]),
            "on_header_value": lambda d, s, e: state.header_value.extend(d[s:e]),
            "on_header_end": header_end,
            "on_headers_finished": headers_finished,
            "on_part_data": part_data,
            "on_part_end": part_end,
            "on_end": end,
        },
    )
    body = request.stream()

    async def feed() -> bool:
        """Parse the next body chunk; False at the end of the body."""
        try:
            chunk = await anext(body)
        except StopAsyncIteration:
            return False
        try:
            parser.write(chunk)
        except MultipartParseError as exc:
            raise InvalidInput(BAD_MULTIPART, error_code="INVALID_INPUT") from exc
        return True

    while state.in_file is None:
        if not await feed():
            raise InvalidInput(NO_FILE, error_code="NO_FILE")

    async def chunks() -> AsyncIterator[bytes]:
        while True:
            while state.pending:
                yield state.pending.pop(0)
            if state.in_file is False:  # parts after the file are ignored
                return
            if not await feed():
                raise InvalidInput(BAD_MULTIPART, error_code="INVALID_INPUT")

    return FilePart(field_name=state.field_name or "", file_name=state.file_name or "", chunks=chunks())
