"""From an uploaded file (a path, bytes or a file object; plain, .gz or .zip) to a table.

Row numbers in messages count like a spreadsheet: the header is row 1, the first
prediction row 2.
"""

import csv
import gzip
import io
import os
import re
import zipfile
import zlib
from typing import BinaryIO

import pyarrow as pa
import pyarrow.csv as pcsv

from grader.scoring.errors import ScoringError

Source = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_CHUNK = 1024 * 1024
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_COUNT_ERROR = re.compile(r"Expected (\d+) columns, got (\d+)")
_CONVERSION_ERROR = re.compile(r"In CSV column #(\d+): CSV conversion error to (\w+)")
_FIRST_LINE = re.compile(rb"[^\r\n]*")


class NotANumber(ScoringError):
    """A value in a column read as numbers is not a number."""


def read_text(source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The CSV text of ``source``, decompressed, checked to be non-empty UTF-8 text."""
    data = _decompress(_raw_bytes(source, max_bytes), max_bytes)
    _check_text(data)
    return data


def _too_big(max_bytes: int) -> ScoringError:
    return ScoringError(
        f"The file is larger than the limit of {max_bytes / 1e6:g} MB once decompressed."
    )


def _raw_bytes(source: Source, max_bytes: int) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as file:
            data = file.read(max_bytes + 1)
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(max_bytes)
    return data


def _decompress(data: bytes, max_bytes: int) -> bytes:
    try:
        if data[:2] == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as file:
                return _read_limited(file, max_bytes)
        if data[:4] in _ZIP_MAGIC:
            return _unzip(data, max_bytes)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as error:
        raise ScoringError(f"The compressed file is damaged ({error}).") from None
    return data


def _read_limited(file: BinaryIO, max_bytes: int) -> bytes:
    """Read in chunks, refusing as soon as the total passes ``max_bytes``."""
    pieces, total = [], 0
    while piece := file.read(_CHUNK):
        total += len(piece)
        if total > max_bytes:
            raise _too_big(max_bytes)
        pieces.append(piece)
    return b"".join(pieces)


def _unzip(data: bytes, max_bytes: int) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [info.filename for info in archive.infolist() if _is_content(info)]
        if any(name.startswith("xl/") for name in names):
            raise ScoringError("This is an Excel workbook; save it as CSV (UTF-8) and upload that.")
        if len(names) != 1:
            listed = f": {', '.join(names[:5])}" if names else ""
            raise ScoringError(
                f"The .zip file must hold exactly one CSV file; it holds {len(names)}{listed}."
            )
        if archive.getinfo(names[0]).flag_bits & 0x1:
            raise ScoringError("The .zip file is password-protected; upload it without a password.")
        with archive.open(names[0]) as file:
            return _read_limited(file, max_bytes)


def _is_content(info: zipfile.ZipInfo) -> bool:
    base = info.filename.rsplit("/", 1)[-1]
    return not (info.is_dir() or info.filename.startswith("__MACOSX/") or base.startswith("._"))


def _check_text(data: bytes) -> None:
    if not data or data.isspace():
        raise ScoringError("The file is empty.")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ScoringError("The file is UTF-16 text; save it as CSV (UTF-8) and upload that.")
    if b"\x00" in data:
        raise ScoringError("This is not a CSV file: it holds binary data, not text.")
    if data.isascii():  # the common case, and much faster than decoding
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ScoringError(
            f"The file is not UTF-8 text (line {line} holds the byte 0x{data[error.start]:02X});"
            " save it as CSV (UTF-8) and upload that."
        ) from None


def read_header(data: bytes) -> list[str]:
    """The column names on the first line."""
    first_line = _FIRST_LINE.match(data).group().decode("utf-8-sig")
    try:
        return next(csv.reader([first_line]), [])
    except csv.Error as error:
        raise ScoringError(f"The header cannot be read as CSV ({error}).") from None


def parse_csv(data: bytes, column_types: dict[str, pa.DataType]) -> pa.Table:
    """Parse with pyarrow; a problem in the file becomes a ScoringError naming the row."""
    convert = pcsv.ConvertOptions(
        column_types=column_types, null_values=[""], strings_can_be_null=True
    )
    parse = pcsv.ParseOptions(ignore_empty_lines=False)
    end = _end_of_text(data)
    if data.find(b"\n", 0, end) < 0:
        raise ScoringError("The file has a header but no rows.")
    try:
        return pcsv.read_csv(
            pa.BufferReader(memoryview(data)[:end]),
            parse_options=parse,
            convert_options=convert,
        )
    except pa.ArrowInvalid as error:
        raise _explain(data, str(error)) from None


def _end_of_text(data: bytes) -> int:
    """Where the text ends once trailing blank lines are left out."""
    end = len(data)
    while end and data[end - 1] in b"\r\n \t":
        end -= 1
    return end


def _explain(data: bytes, message: str) -> ScoringError:
    """The row behind pyarrow's complaint, found by reading the file again slowly."""
    match = _CONVERSION_ERROR.search(message)
    try:
        if _COUNT_ERROR.search(message):
            return _wrong_count(data)
        if match:
            return _not_a_number(data, int(match.group(1)))
    except csv.Error:
        pass
    return ScoringError(f"The file cannot be read as CSV ({message}).")


def _records(data: bytes):
    """(row number, values) for each line, the header being row 1."""
    text = io.StringIO(data.decode("utf-8-sig"), newline="")
    return enumerate(csv.reader(text), start=1)


def _wrong_count(data: bytes) -> ScoringError:
    expected = None
    for row, values in _records(data):
        expected = len(values) if expected is None else expected
        if len(values) != expected and row > 1:
            if not values:
                return ScoringError(f"Row {row} is empty; delete it.")
            return ScoringError(
                f"Row {row} has {len(values)} values, but the header has {expected} columns."
            )
    return ScoringError("Some rows have a different number of values than the header has columns.")


def _not_a_number(data: bytes, column: int) -> ScoringError:
    name = None
    for row, values in _records(data):
        if name is None:
            name = values[column]
        elif column < len(values) and not _is_number(values[column]):
            return NotANumber(f"Row {row}: {values[column]!r} in column {name!r} is not a number.")
    return NotANumber(f"Column {name!r} holds a value that is not a number.")


def _is_number(text: str) -> bool:
    if text == "":
        return True  # empty cells are reported separately
    try:
        float(text)
    except ValueError:
        return False
    return "_" not in text
