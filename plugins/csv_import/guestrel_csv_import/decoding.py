"""Turning an exported file's bytes into text.

Excel saves "CSV UTF-8" with a byte-order mark and "Unicode text" as UTF-16 with one; plain
"CSV" on a Chinese Windows is GB18030 (GBK) without any mark. A mark decides. Without one, a file
that is valid UTF-8 is UTF-8, else one that is valid GB18030 as a whole is GB18030: Chinese text
in GB18030 is practically never valid UTF-8, so the test does not confuse the two. A file that
is neither is read as UTF-8, and the bytes that are not UTF-8 are marked so that the rows holding
them are refused, each in the cell at fault, rather than imported garbled.
"""
import codecs
import re

BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
DETECTED = ("utf-8", "gb18030")
ERROR_HANDLER = "guestrel_csv_import.mark_undecodable"
# Each undecodable byte becomes a lone surrogate, which no real text holds.
UNDECODABLE = re.compile("[\udc00-\udcff]")


def _mark_undecodable(error: UnicodeDecodeError):
    return "".join(chr(0xDC00 + byte) for byte in error.object[error.start:error.end]), error.end


codecs.register_error(ERROR_HANDLER, _mark_undecodable)


def decode(body: bytes, encoding: str) -> tuple[str, str]:
    """The file as text and the encoding it was read in. `encoding`: "auto" to detect, or the
    name of the one the connection is set to; a byte-order mark wins over either."""
    for mark, marked_encoding in BYTE_ORDER_MARKS:
        if body.startswith(mark):
            return body[len(mark):].decode(marked_encoding, ERROR_HANDLER), marked_encoding
    if encoding == "auto":
        for candidate in DETECTED:
            try:
                return body.decode(candidate), candidate
            except UnicodeDecodeError:
                continue
        encoding = DETECTED[0]
    return body.decode(encoding, ERROR_HANDLER), encoding


def undecodable(text: str) -> bool:
    """Whether `text` holds bytes that were not valid in the file's encoding."""
    return UNDECODABLE.search(text) is not None
