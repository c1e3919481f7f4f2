"""Whether an uploaded evidence file may be kept, decided from its content.

Evidence files come from officers' desktops and partner agencies' mail, so every upload is
treated as hostile until it has passed :func:`check_upload` (and, where a ClamAV daemon is
configured, :func:`scan_upload`). Nothing here writes to storage or the database: the
service that attaches evidence calls these first and saves nothing unless all pass.

What is accepted, and why:

* PDF; Word, Excel and PowerPoint (both 2007+ and 97-2003 formats); OpenDocument text,
  spreadsheet and presentation; RTF; plain text and CSV; PNG, JPEG, GIF and WebP images.
  These are the documents, audits, minutes and data extracts evidence is made of.
* The type is decided from the bytes, never from the browser's ``Content-Type`` or the
  extension alone; the extension must agree with the content.
* Never accepted: programs and scripts (however they are named), HTML and SVG (they can
  carry scripts that run in a browser), macro-enabled Office files, Office files with
  ActiveX controls or links that make Office fetch content when opened, PDFs with
  JavaScript, launch actions or embedded files, RTF with embedded OLE objects, password-
  protected Office files (nobody else can open them, and nothing can check them), zip
  containers that would expand past 100 MB or with paths that climb out of the archive.

The content type recorded is the one decided here (``application/pdf``); for text and CSV
it carries the charset found (``text/csv; charset=utf-8`` or ``windows-1252``).

Settings: ``EVIDENCE_MAX_BYTES``; ``CLAMAV_ADDRESS`` ("127.0.0.1:3310" or
"unix:///var/run/clamav/clamd.ctl"; empty means no scanner); ``CLAMAV_TIMEOUT`` (seconds,
default 30). clamd's own ``StreamMaxLength`` must be at least ``EVIDENCE_MAX_BYTES``, or
every large file is refused as not scanned.

Known limits: legacy (97-2003) Word and Excel files encrypted with a password are not
detected (their stream names look normal); the virus scanner is the backstop there. CSV
cells that start a formula (``=HYPERLINK(...)``) are not refused: the file is only ever
downloaded, and a spreadsheet warns before it follows such links.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import socket
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError

logger = logging.getLogger("foundation.uploads")

READ_CHUNK = 64 * 1024
MAX_DISPLAY_NAME = 150
DEFAULT_NAME = "evidence"

# Zip containers (OOXML and OpenDocument): limits that a real document never reaches.
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
# Below this total a high ratio is harmless (a few KB of repetitive XML compresses well).
ZIP_RATIO_FLOOR = 1024 * 1024
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_SMALL_PART = 5 * 1024 * 1024  # [Content_Types].xml, .rels, manifest: read this much

# PDF object streams are decompressed to look inside them; this caps what that may cost.
PDF_MAX_INFLATED = 100 * 1024 * 1024

CLAMAV_CHUNK = 64 * 1024
CLAMAV_DEFAULT_TIMEOUT = 30


@dataclass(frozen=True)
class FileKind:
    label: str  # "is not a real <label>"
    content_type: str
    family: str  # which content check applies

    @property
    def a_label(self) -> str:
        return f"{'an' if self.label[0] in 'AEIOU' else 'a'} {self.label}"


KINDS: dict[str, FileKind] = {
    "pdf": FileKind("PDF", "application/pdf", "pdf"),
    "docx": FileKind(
        "Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "ooxml",
    ),
    "xlsx": FileKind(
        "Excel workbook",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ooxml",
    ),
    "pptx": FileKind(
        "PowerPoint presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ooxml",
    ),
    "doc": FileKind("Word 97-2003 document", "application/msword", "ole"),
    "xls": FileKind("Excel 97-2003 workbook", "application/vnd.ms-excel", "ole"),
    "ppt": FileKind("PowerPoint 97-2003 presentation", "application/vnd.ms-powerpoint", "ole"),
    "odt": FileKind("OpenDocument text", "application/vnd.oasis.opendocument.text", "odf"),
    "ods": FileKind(
        "OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", "odf"
    ),
    "odp": FileKind(
        "OpenDocument presentation", "application/vnd.oasis.opendocument.presentation", "odf"
    ),
    "rtf": FileKind("RTF document", "application/rtf", "rtf"),
    "txt": FileKind("text file", "text/plain", "text"),
    "csv": FileKind("CSV file", "text/csv", "text"),
    "png": FileKind("PNG image", "image/png", "image"),
    "jpg": FileKind("JPEG image", "image/jpeg", "image"),
    "jpeg": FileKind("JPEG image", "image/jpeg", "image"),
    "gif": FileKind("GIF image", "image/gif", "image"),
    "webp": FileKind("WebP image", "image/webp", "image"),
}
ALLOWED_EXTENSIONS = frozenset(KINDS)
ACCEPTED_TYPES_TEXT = (
    "PDF, Word, Excel, PowerPoint, OpenDocument, RTF, text, CSV, PNG, JPEG, GIF and WebP"
)

# Never accepted, as the extension or hidden inside the name ("minutes.php.pdf").
# fmt: off
PROGRAM_EXTENSIONS = frozenset([
    "exe", "com", "bat", "cmd", "msi", "msp", "mst", "scr", "pif", "cpl", "dll", "sys", "drv",
    "ocx", "jar", "class", "js", "jse", "mjs", "cjs", "vbs", "vbe", "wsf", "wsc", "wsh", "hta",
    "ps1", "psm1", "psd1", "ps1xml", "psc1", "sh", "bash", "zsh", "csh", "ksh", "fish", "py",
    "pyc", "pyo", "pyw", "pl", "pm", "rb", "php", "php3", "php4", "php5", "php7", "phtml",
    "phar", "asp", "aspx", "ashx", "asmx", "jsp", "jspx", "cgi", "lnk", "reg", "inf",
    "scf", "url", "app", "apk", "dmg", "pkg", "deb", "rpm", "run", "elf", "so", "dylib", "swf",
    "gadget", "application", "appref-ms", "msc", "chm", "xbap", "library-ms",
    "settingcontent-ms", "wasm",
])
SCRIPTABLE_DOCUMENT_EXTENSIONS = frozenset([
    "html", "htm", "xhtml", "xht", "shtml", "svg", "svgz", "mht", "mhtml", "xsl", "xslt",
])
MACRO_EXTENSIONS = frozenset([
    "docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm", "ppsm", "ppam", "sldm",
])
# fmt: on
DANGEROUS_INNER_EXTENSIONS = PROGRAM_EXTENSIONS | SCRIPTABLE_DOCUMENT_EXTENSIONS | MACRO_EXTENSIONS

WINDOWS_RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)


class UploadRejected(ValidationError):
    """An uploaded file that will not be kept. ``message`` names the file and says what to do.

    A ValidationError, so a form's ``clean_*`` can let it through to the field's errors.
    ``code`` says which rule refused it: empty, too_large, type, name, mismatch, program,
    script, macros, active_content, encrypted, archive, damaged, virus, scan_failed.
    """

    def __init__(self, message: str, *, code: str):
        super().__init__(message, code=code)


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed :func:`check_upload`; ``data`` is exactly the bytes checked."""

    display_name: str
    extension: str
    content_type: str
    size: int
    sha256: str
    data: bytes = field(repr=False)


# --- names ----------------------------------------------------------------------------


def clean_display_name(name: object) -> str:
    """The name to show and to offer on download: a basename with no path, control or
    bidirectional-override characters, at most 150 characters, extension kept.

    ``"../../etc/passwd.pdf"`` becomes ``"passwd.pdf"``; an empty name becomes
    ``"evidence"``. The name is never used to store the file.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] == "C" or category in ("Zl", "Zp"):
            continue  # controls, NUL, bidi overrides (invoice\u202efdp.exe), zero-widths
        kept.append(" " if category == "Zs" or ch == "\t" else ch)
    text = re.sub(r'[<>:"|?*]', "_", "".join(kept))
    text = re.sub(r" {2,}", " ", text)
    # Windows drops trailing dots and spaces, so "report.exe." would be report.exe there.
    text = text.rstrip(" .").lstrip()
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    stem = stem.strip(" .") or DEFAULT_NAME
    ext = ext.strip()
    if stem.split(".")[0].upper() in WINDOWS_RESERVED_NAMES:
        stem = f"_{stem}"
    if not ext:
        return stem[:MAX_DISPLAY_NAME].rstrip(" .") or DEFAULT_NAME
    if len(ext) > 20:  # not a real extension: it will be refused anyway, just shorten it
        return f"{stem}.{ext}"[:MAX_DISPLAY_NAME]
    stem = stem[: MAX_DISPLAY_NAME - len(ext) - 1].rstrip(" .") or DEFAULT_NAME
    return f"{stem}.{ext}"


def _extension(display_name: str) -> str:
    stem, dot, ext = display_name.rpartition(".")
    return ext.lower() if dot and stem else ""


def safe_download_name(display_name: str) -> str:
    """The ``Content-Disposition`` header value for downloading a file under its name:
    ``attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded name>``.

    The name is cleaned again here, so a name that reached the database some other way
    (admin, import) still cannot break the header or carry a path.
    """
    name = clean_display_name(display_name)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r'[^\x20-\x7e]|["\\%;]', "_", ascii_name).strip()
    stem, dot, ext = ascii_name.rpartition(".")
    if not dot:
        stem, ext = ascii_name, ""
    if not stem.strip(" ._"):  # nothing left of the name once made ASCII
        ascii_name = f"{DEFAULT_NAME}.{ext}" if ext else DEFAULT_NAME
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


# --- the check --------------------------------------------------------------------------


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"


def _read_all(uploaded_file, name: str, limit: int) -> bytes:
    """Read the upload in chunks, stopping as soon as it passes ``limit`` bytes."""
    declared = getattr(uploaded_file, "size", None)
    too_large = UploadRejected(
        f"“{name}” is larger than the {_megabytes(limit)} limit for evidence files"
        + (
            f" (it is {_megabytes(declared)})"
            if isinstance(declared, int) and declared > limit
            else ""
        )
        + ". Make it smaller (for example, compress its pictures or split it) and upload it again.",
        code="too_large",
    )
    if isinstance(declared, int) and declared > limit:
        raise too_large
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    buffer = bytearray()
    while True:
        chunk = uploaded_file.read(READ_CHUNK)
        if not chunk:
            break
        buffer += chunk
        if len(buffer) > limit:
            raise too_large
    return bytes(buffer)


def check_upload(uploaded_file, *, max_bytes: int | None = None) -> CheckedUpload:
    """Check one uploaded file and return what may be stored, or raise UploadRejected.

    ``uploaded_file`` is a Django UploadedFile (or any object with ``name`` and ``read``).
    Its ``content_type`` is ignored; its ``size`` is only used to refuse early.
    """
    name = clean_display_name(getattr(uploaded_file, "name", ""))
    ext = _extension(name)
    _check_name(name, ext)
    kind = KINDS[ext]

    limit = max_bytes if max_bytes is not None else settings.EVIDENCE_MAX_BYTES
    data = _read_all(uploaded_file, name, limit)
    if not data:
        raise UploadRejected(
            f"“{name}” is empty (0 bytes). Check you chose the right file and upload it again.",
            code="empty",
        )

    _refuse_programs(data, name, ext, kind)
    content_type = _CHECKS[kind.family](data, name, ext, kind)
    return CheckedUpload(
        display_name=name,
        extension=ext,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )


def _check_name(name: str, ext: str) -> None:
    if not ext:
        raise UploadRejected(
            f"“{name}” has no file extension, so its type cannot be checked. "
            f"Give it the right extension (for example .pdf or .docx) and upload it again.",
            code="type",
        )
    if ext in PROGRAM_EXTENSIONS:
        raise UploadRejected(
            f"“{name}” is a program or script (.{ext}); these are never accepted as evidence.",
            code="program",
        )
    if ext in SCRIPTABLE_DOCUMENT_EXTENSIONS:
        raise UploadRejected(
            f"“{name}” is a web page or SVG image (.{ext}); these can carry scripts and are not "
            f"accepted. Save it as PDF (or the picture as PNG) and upload that.",
            code="script",
        )
    if ext in MACRO_EXTENSIONS:
        raise UploadRejected(
            f"“{name}” is a macro-enabled Office file (.{ext}). Save it without macros "
            f"(as .docx, .xlsx or .pptx) and upload that.",
            code="macros",
        )
    if ext not in ALLOWED_EXTENSIONS:
        raise UploadRejected(
            f"“{name}” is a .{ext} file, which is not accepted as evidence. "
            f"Accepted types: {ACCEPTED_TYPES_TEXT}.",
            code="type",
        )
    inner = name.rpartition(".")[0].lower().split(".")[1:]
    hidden = [part.strip() for part in inner if part.strip() in DANGEROUS_INNER_EXTENSIONS]
    if hidden:
        raise UploadRejected(
            f"“{name}” has a second, hidden extension (.{hidden[-1]}) as well as .{ext}, "
            f"a trick used to disguise programs. Rename it so its only extension is .{ext} "
            f"and upload it again.",
            code="name",
        )


# Magic numbers of programs: refused whatever the file is called.
_PROGRAM_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "a Linux program"),
    (b"\xfe\xed\xfa\xce", "a macOS program"),
    (b"\xfe\xed\xfa\xcf", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"\x00asm", "a WebAssembly program"),
    (b"L\x00\x00\x00\x01\x14\x02\x00", "a Windows shortcut"),
    (b"#!", "a script"),
)


def _program_kind(data: bytes) -> str | None:
    if data.startswith(b"MZ"):
        # Text may begin with "MZ"; a Windows program also has its PE header or DOS stub.
        pe_offset = struct.unpack_from("<I", data, 0x3C)[0] if len(data) >= 0x40 else -1
        if (
            0 <= pe_offset <= len(data) - 4 and data[pe_offset : pe_offset + 4] == b"PE\x00\x00"
        ) or b"This program cannot be run in DOS mode" in data[:1024]:
            return "a Windows program"
    for signature, label in _PROGRAM_SIGNATURES:
        if data.startswith(signature):
            return label
    return None


_MARKUP_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|body|script|iframe|svg|\?xml[^>]*>\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+svg[^>]*>\s*)?<svg)",
    re.IGNORECASE | re.DOTALL,
)


def _refuse_programs(data: bytes, name: str, ext: str, kind: FileKind) -> None:
    program = _program_kind(data)
    if program:
        raise UploadRejected(
            f"“{name}” is {program} renamed to .{ext}, not {kind.a_label}. "
            f"Programs and scripts are never accepted as evidence.",
            code="program",
        )
    head = data[:4096]
    if _MARKUP_START.match(head):
        what = "an SVG image" if b"<svg" in head.lower() else "a web page (HTML)"
        raise UploadRejected(
            f"“{name}” is {what} renamed to .{ext}, not {kind.a_label}. Web pages and SVG "
            f"images can carry scripts and are not accepted. Save it as PDF and upload that.",
            code="script",
        )


def _describe(data: bytes) -> str | None:
    """What the content looks like, for telling people what they actually uploaded."""
    if data.startswith(b"%PDF-"):
        return "a PDF"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "a PNG image"
    if data.startswith(b"\xff\xd8\xff"):
        return "a JPEG image"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "a GIF image"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP image"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "an Office 97-2003 file"
    if data.startswith(b"{\\rtf"):
        return "an RTF document"
    if data.startswith(b"PK\x03\x04"):
        return "a zip archive"
    try:
        import filetype

        guess = filetype.guess(data[:8192])
    except Exception:  # only used to word a message; never decides
        guess = None
    if guess is not None:
        return f"a .{guess.extension} file"
    return None


def what_content_is(data: bytes) -> str | None:
    """What the bytes are, judged by their content whatever the file's name, when they are
    a program, a web page or SVG image, or a binary type we know ("a PDF", "a PNG image",
    "a zip archive"...); None for anything else, such as plain text. The plan importer
    uses it too, to refuse what is not a plan before reading it as one."""
    program = _program_kind(data)
    if program:
        return program
    head = data[:4096]
    if _MARKUP_START.match(head):
        return "an SVG image" if b"<svg" in head.lower() else "a web page (HTML)"
    return _describe(data)


def _mismatch(
    name: str, ext: str, kind: FileKind, data: bytes, actual: str | None = None
) -> UploadRejected:
    actual = actual or _describe(data)
    found = f" (it looks like {actual})" if actual else ""
    return UploadRejected(
        f"“{name}” is not a real {kind.label}: its content does not match its .{ext} "
        f"extension{found}. Upload the original file.",
        code="mismatch",
    )


def _damaged(name: str, kind: FileKind, detail: str = "") -> UploadRejected:
    return UploadRejected(
        f"“{name}” is damaged or incomplete and cannot be opened as {kind.a_label}"
        f"{': ' + detail if detail else ''}. Save it again and upload the new copy.",
        code="damaged",
    )


# --- PDF ------------------------------------------------------------------------------

_PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# A name written with at least one #xx escape (/J#61vaScript is /JavaScript).
_PDF_ESCAPED_NAME = re.compile(
    rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%#]*#[0-9A-Fa-f]{2}[^\x00\t\n\x0c\r ()<>\[\]{}/%]*"
)
_PDF_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
# Names whose presence means the PDF can act when opened, or carries other files.
_PDF_ACTIVE_NAMES = {
    b"JavaScript": "JavaScript",
    b"Launch": "an action that launches programs",
    b"EmbeddedFile": "embedded files",  # also matches /EmbeddedFiles
    b"FileAttachment": "embedded files",
    b"RichMedia": "embedded media (Flash)",
}
_PDF_OTHER_FILTERS = (
    b"ASCIIHexDecode",
    b"ASCII85Decode",
    b"LZWDecode",
    b"RunLengthDecode",
    b"Crypt",
)
_PDF_WATCHED_NAMES = (
    *_PDF_ACTIVE_NAMES,
    *_PDF_OTHER_FILTERS,
    b"ObjStm",
    b"Encrypt",
    b"DecodeParms",
)
# Far beyond real documents; past these a file is refused rather than slowly picked apart.
PDF_MAX_ESCAPED_NAMES = 100_000
PDF_MAX_OBJECT_STREAMS = 20_000


class _Unscannable(Exception):
    pass


def _pdf_names(data: bytes) -> tuple[set[bytes], list[int]]:
    """Which watched names ``data`` holds (as prefixes, escapes decoded), and where the
    /ObjStm names are. Searches run in C; Python only looks at names that use escapes."""
    found = {n for n in _PDF_WATCHED_NAMES if b"/" + n in data}
    object_streams: list[int] = []
    if b"/ObjStm" in data:
        if data.count(b"/ObjStm") > PDF_MAX_OBJECT_STREAMS:
            raise _Unscannable
        position = data.find(b"/ObjStm")
        while position != -1:
            object_streams.append(position)
            position = data.find(b"/ObjStm", position + 1)
    if b"#" in data:
        if len(_PDF_ESCAPED_NAME.findall(data)) > PDF_MAX_ESCAPED_NAMES:
            raise _Unscannable
        for match in _PDF_ESCAPED_NAME.finditer(data):
            decoded = _PDF_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group())
            for watched in _PDF_WATCHED_NAMES:
                if decoded.startswith(b"/" + watched):
                    found.add(watched)
                    if watched == b"ObjStm":
                        object_streams.append(match.start())
    return found, sorted(object_streams)


def _pdf_object_streams(data: bytes, positions: list[int]) -> list[bytes]:
    """The decompressed content of each object stream: PDF 1.5+ keeps dictionaries, actions
    included, compressed inside these, out of sight of a plain byte scan.

    ``positions`` are where /ObjStm names are; the stream each one types is the next one
    after it. Every object stream must inflate: one that does not cannot be checked.
    """
    budget = PDF_MAX_INFLATED
    found: list[bytes] = []
    covered = 0  # each byte is looked at once, however hostile the file
    for position in positions:
        if position < covered:
            continue
        stream = _PDF_STREAM.search(data, position)
        if stream is None:
            break
        header = data.rfind(b"obj", covered, position)
        dictionary, _ = _pdf_names(data[header if header != -1 else covered : stream.start()])
        covered = stream.end()
        if any(f in dictionary for f in _PDF_OTHER_FILTERS) or b"DecodeParms" in dictionary:
            raise _Unscannable
        # Feed the inflater up to each "endstream" in turn until its data ends, so no call
        # copies the rest of the file and an "endstream" inside the data cannot cut it short.
        inflater, out, fed = zlib.decompressobj(), bytearray(), stream.end()
        while not inflater.eof:
            end = data.find(b"endstream", fed + 1)
            if end == -1:
                raise _Unscannable
            try:
                out += inflater.decompress(memoryview(data)[fed:end], budget + 1 - len(out))
            except zlib.error as exc:
                raise _Unscannable from exc
            if len(out) > budget:
                raise _Unscannable
            fed = end
        covered = max(covered, fed)
        budget -= len(out)
        found.append(bytes(out))
    return found


def _check_pdf(data: bytes, name: str, ext: str, kind: FileKind) -> str:
    if not data.startswith(b"%PDF-"):
        raise _mismatch(name, ext, kind, data)
    if b"%%EOF" not in data[-64 * 1024 :]:
        raise _damaged(name, kind, "its end is missing")
    try:
        names, positions = _pdf_names(data)
        if positions and b"Encrypt" in names:
            # Encrypted object streams cannot be read without decrypting; refuse, not guess.
            raise UploadRejected(
                f"“{name}” is password-protected or restricted, so it cannot be checked. "
                f"Remove the protection (or print it to a new PDF) and upload that.",
                code="encrypted",
            )
        for stream in _pdf_object_streams(data, positions):
            names |= _pdf_names(stream)[0]
    except _Unscannable as exc:
        raise UploadRejected(
            f"“{name}” is built in an unusual way that stops it being checked. "
            f"Print or save it to PDF again and upload that.",
            code="damaged",
        ) from exc
    active = sorted({label for key, label in _PDF_ACTIVE_NAMES.items() if key in names})
    if active:
        raise UploadRejected(
            f"“{name}” contains active content ({', '.join(active)}), which could run or "
            f"hide something when opened. Print it to a new PDF (or ask the sender for a "
            f"plain copy) and upload that.",
            code="active_content",
        )
    return kind.content_type


# --- zip containers: OOXML and OpenDocument --------------------------------------------


def zip_expands_too_far(unpacked: int, packed: int, *, max_unpacked: int = ZIP_MAX_UNCOMPRESSED) -> bool:
    """Whether a zip whose parts declare ``unpacked`` bytes in all, from ``packed`` bytes
    compressed, is a zip bomb: more than ``max_unpacked``, or more than ZIP_MAX_RATIO times
    its compressed size once it is big enough for that to matter. (zipfile never reads a
    part past its declared size, so the declared sizes are what a reader can unpack.)
    Used for evidence and for the plans the importer reads."""
    return unpacked > max_unpacked or (unpacked > ZIP_RATIO_FLOOR and unpacked > ZIP_MAX_RATIO * max(packed, 1))


def _open_zip(data: bytes, name: str, ext: str, kind: FileKind) -> zipfile.ZipFile:
    """Open a zip container after refusing bombs, unsafe paths and encrypted entries."""
    if not data.startswith(b"PK\x03\x04"):
        raise _mismatch(name, ext, kind, data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise _damaged(name, kind) from exc
    if len(entries) > ZIP_MAX_ENTRIES:
        raise UploadRejected(
            f"“{name}” holds {len(entries):,} parts, far more than any real document; it "
            f"looks like a zip bomb and was not saved.",
            code="archive",
        )
    total = compressed = 0
    for entry in entries:
        path = entry.filename
        if (
            path.startswith(("/", "\\"))
            or "\\" in path
            or re.match(r"[A-Za-z]:", path)
            or ".." in path.split("/")
            or "\x00" in path
        ):
            raise UploadRejected(
                f"“{name}” contains a part with an unsafe path ({path[:60]!r}) that could "
                f"write outside its folder when unpacked; it was not saved.",
                code="archive",
            )
        if entry.flag_bits & 0x1:
            raise UploadRejected(
                f"“{name}” is password-protected, so nobody else could open it and it cannot "
                f"be checked. Remove the password and upload it again.",
                code="encrypted",
            )
        total += entry.file_size
        compressed += entry.compress_size
    if zip_expands_too_far(total, compressed):
        raise UploadRejected(
            f"“{name}” would expand to {_megabytes(total)} when opened (from "
            f"{_megabytes(len(data))}); it looks like a zip bomb and was not saved.",
            code="archive",
        )
    # Read every part once: zipfile stops at each declared size and checks the CRC, so a
    # part that lies about its size, or a damaged file, fails here rather than later.
    try:
        for entry in entries:
            with archive.open(entry) as part:
                while part.read(READ_CHUNK):
                    pass
    except (
        zipfile.BadZipFile,
        NotImplementedError,
        ValueError,
        OSError,
        EOFError,
        zlib.error,
    ) as exc:
        raise _damaged(name, kind) from exc
    return archive


def _read_part(archive: zipfile.ZipFile, path: str) -> bytes:
    with archive.open(path) as part:
        return part.read(ZIP_MAX_SMALL_PART)


def _zip_flavour(names: set[str]) -> str | None:
    if "[content_types].xml" in names:
        for prefix, label in (
            ("word/", "a Word document"),
            ("xl/", "an Excel workbook"),
            ("ppt/", "a PowerPoint presentation"),
        ):
            if any(n.startswith(prefix) for n in names):
                return label
        return "an Office file"
    if "mimetype" in names:
        return "an OpenDocument file"
    return None


_OOXML_PREFIX = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_REL_ELEMENT = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>", re.IGNORECASE)
# Relationship types that make Office fetch and load content when the file is opened
# (remote template injection; "Follina" used an external oleObject).
_FETCHING_REL_TYPES = re.compile(
    rb"/(?:attachedTemplate|oleObject|frame|subDocument)\"", re.IGNORECASE
)
_PROGRAM_PART = re.compile(
    r"\.(?:"
    + "|".join(sorted(re.escape(e) for e in PROGRAM_EXTENSIONS | SCRIPTABLE_DOCUMENT_EXTENSIONS))
    + r")$"
)


_MACRO_FREE = {"doc": "docx", "xls": "xlsx", "ppt": "pptx"}


def _macro_rejection(name: str, ext: str) -> UploadRejected:
    return UploadRejected(
        f"“{name}” contains macros, which can run programs when it is opened. Save a copy "
        f"without macros (as .{_MACRO_FREE.get(ext, ext)}) and upload that.",
        code="macros",
    )


def _refuse_program_parts(archive: zipfile.ZipFile, name: str) -> None:
    for path in archive.namelist():
        if _PROGRAM_PART.search(path.lower()):
            raise UploadRejected(
                f"“{name}” has a program or script hidden inside it ({path[:60]}); "
                f"it was not saved.",
                code="program",
            )


def _check_ooxml(data: bytes, name: str, ext: str, kind: FileKind) -> str:
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        streams = _ole_streams(data)
        if "EncryptedPackage" in streams:
            raise UploadRejected(
                f"“{name}” is password-protected, so nobody else could open it and it cannot "
                f"be checked. Remove the password (File > Info > Protect) and upload it again.",
                code="encrypted",
            )
        raise _mismatch(name, ext, kind, data, "an Office 97-2003 file; save it as ." + ext)
    archive = _open_zip(data, name, ext, kind)
    # OPC part names are case-insensitive; keep the stored spelling to read them.
    parts = {n.lower(): n for n in archive.namelist()}
    names = set(parts)
    if "[content_types].xml" not in names or not any(
        n.startswith(_OOXML_PREFIX[ext]) for n in names
    ):
        raise _mismatch(name, ext, kind, data, _zip_flavour(names))
    content_types = _read_part(archive, parts["[content_types].xml"])
    if (
        any(n.endswith(("vbaproject.bin", "vbadata.xml")) for n in names)
        or b"macroenabled" in content_types.lower()
    ):
        raise _macro_rejection(name, ext)
    if any("/activex/" in f"/{n}" for n in names):
        raise UploadRejected(
            f"“{name}” contains ActiveX controls, which can run programs when it is opened. "
            f"Save a copy without them and upload that.",
            code="active_content",
        )
    _refuse_program_parts(archive, name)
    for path in archive.namelist():
        if not path.lower().endswith(".rels"):
            continue
        for element in _REL_ELEMENT.findall(_read_part(archive, path)):
            if b'targetmode="external"' in element.lower() and _FETCHING_REL_TYPES.search(element):
                raise UploadRejected(
                    f"“{name}” links to outside content that Office would fetch and load when "
                    f"it is opened (a way of hiding attacks). Save a copy without the linked "
                    f"template or object and upload that.",
                    code="active_content",
                )
    return kind.content_type


_ODF_MIMETYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odp": b"application/vnd.oasis.opendocument.presentation",
}


def _check_odf(data: bytes, name: str, ext: str, kind: FileKind) -> str:
    archive = _open_zip(data, name, ext, kind)
    names = {n.lower() for n in archive.namelist()}
    mimetype = _read_part(archive, "mimetype").strip() if "mimetype" in archive.namelist() else b""
    if mimetype != _ODF_MIMETYPES[ext]:
        raise _mismatch(name, ext, kind, data, _zip_flavour(names))
    if any(n.startswith(("basic/", "scripts/")) for n in names):
        raise _macro_rejection(name, ext)
    _refuse_program_parts(archive, name)
    manifest_path = "META-INF/manifest.xml"
    if manifest_path in archive.namelist() and b"encryption-data" in _read_part(
        archive, manifest_path
    ):
        raise UploadRejected(
            f"“{name}” is password-protected, so nobody else could open it and it cannot be "
            f"checked. Remove the password and upload it again.",
            code="encrypted",
        )
    return kind.content_type


# --- Office 97-2003 (OLE2 compound files) ---------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream and storage names are stored as UTF-16LE in the directory, so finding them in the
# bytes is enough to know they exist without parsing the allocation tables.
_OLE_NAMES = (
    "WordDocument",
    "Workbook",
    "Book",
    "PowerPoint Document",
    "EncryptedPackage",
    "_VBA_PROJECT",
    "Macros",
)
_OLE_REQUIRED = {
    "doc": ("WordDocument",),
    "xls": ("Workbook", "Book"),
    "ppt": ("PowerPoint Document",),
}


def _ole_streams(data: bytes) -> set[str]:
    found = {n for n in _OLE_NAMES if (n + "\x00").encode("utf-16-le") in data}
    if "_VBA_PROJECT".encode("utf-16-le") in data:  # _VBA_PROJECT and _VBA_PROJECT_CUR
        found.add("_VBA_PROJECT")
    return found


def _check_ole(data: bytes, name: str, ext: str, kind: FileKind) -> str:
    if not data.startswith(_OLE_MAGIC):
        raise _mismatch(name, ext, kind, data)
    streams = _ole_streams(data)
    if "EncryptedPackage" in streams:
        raise UploadRejected(
            f"“{name}” is password-protected, so nobody else could open it and it cannot be "
            f"checked. Remove the password and upload it again.",
            code="encrypted",
        )
    if "_VBA_PROJECT" in streams or ("Macros" in streams and ext == "doc"):
        raise _macro_rejection(name, ext)
    if not any(s in streams for s in _OLE_REQUIRED[ext]):
        raise _mismatch(
            name, ext, kind, data, "a different kind of Office 97-2003 file or an installer"
        )
    return kind.content_type


# --- RTF, text, images ----------------------------------------------------------------


def _check_rtf(data: bytes, name: str, ext: str, kind: FileKind) -> str:
    if not data.startswith(b"{\\rtf"):
        raise _mismatch(name, ext, kind, data)
    if re.search(rb"\\obj(?:data|ocx|emb|link|autlink|update)\b", data):
        raise UploadRejected(
            f"“{name}” contains embedded objects, a common way of hiding attacks in RTF. "
            f"Save it as .docx or PDF and upload that.",
            code="active_content",
        )
    return kind.content_type


_TEXT_MARKUP = re.compile(
    # A browser only opens a tag when "<" is followed directly by its name ("a < body" is text).
    r"<(?:script|html|svg|iframe|object|embed|body|img|meta|base|!doctype)\b|(?:javascript|vbscript):",
    re.IGNORECASE,
)


def _decode_text(data: bytes) -> tuple[str, str] | None:
    """The text and its charset: UTF-8 (with or without BOM), else Windows-1252, which is
    what Excel on a British council desktop writes when asked for plain CSV."""
    for encoding, charset in (("utf-8-sig", "utf-8"), ("cp1252", "windows-1252")):
        try:
            return data.decode(encoding), charset
        except UnicodeDecodeError:
            continue
    return None


def _check_text(data: bytes, name: str, ext: str, kind: FileKind) -> str:
    if b"\x00" in data:
        raise UploadRejected(
            f"“{name}” is not plain text: it contains binary data "
            f"({_describe(data) or 'NUL bytes'}). Save it again as UTF-8 "
            f"{'CSV' if ext == 'csv' else 'text'} and upload that.",
            code="mismatch",
        )
    decoded = _decode_text(data)
    if decoded is None:
        raise UploadRejected(
            f"“{name}” is not readable text (it is neither UTF-8 nor Windows-1252). Save it "
            f"again as UTF-8 {'CSV' if ext == 'csv' else 'text'} and upload that.",
            code="mismatch",
        )
    text, charset = decoded
    markup = _TEXT_MARKUP.search(text)
    if markup:
        raise UploadRejected(
            f"“{name}” contains web page markup or script ({markup.group(0)[:20]!r}), which "
            f"could run in a browser; it was not saved. Remove it, or save the document as PDF.",
            code="script",
        )
    return f"{kind.content_type}; charset={charset}"


_IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
_IMAGE_MAGIC = {
    "PNG": lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"),
    "JPEG": lambda d: d.startswith(b"\xff\xd8\xff"),
    "GIF": lambda d: d.startswith((b"GIF87a", b"GIF89a")),
    "WEBP": lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP",
}


def _check_image(data: bytes, name: str, ext: str, kind: FileKind) -> str:
    expected = _IMAGE_FORMATS[ext]
    if not _IMAGE_MAGIC[expected](data):
        raise _mismatch(name, ext, kind, data)
    from PIL import Image  # Pillow comes with WeasyPrint

    too_big = UploadRejected(
        f"“{name}” has far more pixels than a real picture and could exhaust memory when "
        f"opened. Resize it and upload it again.",
        code="archive",
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected:
                raise _mismatch(name, ext, kind, data)
            width, height = image.size
            if width * height > Image.MAX_IMAGE_PIXELS:
                raise too_big
            image.verify()
    except UploadRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise too_big from exc
    except Exception as exc:  # Pillow raises many kinds for broken images
        raise _damaged(name, kind) from exc
    return kind.content_type


_CHECKS = {
    "pdf": _check_pdf,
    "ooxml": _check_ooxml,
    "odf": _check_odf,
    "ole": _check_ole,
    "rtf": _check_rtf,
    "text": _check_text,
    "image": _check_image,
}


# --- virus scan -----------------------------------------------------------------------


def _clamav_socket(address: str, timeout: float) -> socket.socket:
    if address.startswith("unix://") or address.startswith("/"):
        path = address.removeprefix("unix://")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(path)
        except OSError:
            sock.close()
            raise
        return sock
    host, _, port = address.removeprefix("tcp://").rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"CLAMAV_ADDRESS {address!r} is not host:port or unix:///path")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def _clamav_reply(sock: socket.socket) -> str:
    reply = b""
    while b"\x00" not in reply and len(reply) < 4096:
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    return reply.split(b"\x00", 1)[0].decode("utf-8", "replace").strip()


def _clamav_instream(address: str, data: bytes, timeout: float) -> str:
    with _clamav_socket(address, timeout) as sock:
        try:
            sock.sendall(b"zINSTREAM\x00")
            for start in range(0, len(data), CLAMAV_CHUNK):
                chunk = data[start : start + CLAMAV_CHUNK]
                sock.sendall(struct.pack("!I", len(chunk)) + chunk)
            sock.sendall(struct.pack("!I", 0))
        except (BrokenPipeError, ConnectionResetError):
            pass  # clamd closes early on "size limit exceeded"; its reply says so
        return _clamav_reply(sock)


def scan_upload(checked: CheckedUpload) -> None:
    """Scan with the ClamAV daemon at ``settings.CLAMAV_ADDRESS``, or log that none is set.

    With a scanner configured this fails closed: if it cannot be reached or does not give a
    clean answer, the upload is refused. Logs name files by checksum, never by file name
    (names of children's services documents can themselves be personal data).
    """
    address = getattr(settings, "CLAMAV_ADDRESS", "")
    if not address:
        logger.warning("virus scan skipped for %s: no scanner configured", checked.sha256)
        return
    timeout = getattr(settings, "CLAMAV_TIMEOUT", CLAMAV_DEFAULT_TIMEOUT)
    try:
        reply = _clamav_instream(address, checked.data, timeout)
    except (OSError, ValueError) as exc:  # refused, timed out, or a malformed address
        logger.error("virus scan failed for %s: scanner at %s: %s", checked.sha256, address, exc)
        reply = None
    if reply == "stream: OK":
        return
    if reply and reply.startswith("stream:") and reply.endswith(" FOUND"):
        signature = reply.removeprefix("stream:").removesuffix("FOUND").strip() or "unknown"
        logger.warning("virus scanner flagged %s: %s", checked.sha256, signature)
        raise UploadRejected(
            f"“{checked.display_name}” was flagged by the virus scanner ({signature}) "
            f"and was not saved.",
            code="virus",
        )
    if reply:
        logger.error("virus scan failed for %s: scanner replied %r", checked.sha256, reply[:200])
    raise UploadRejected(
        f"“{checked.display_name}” could not be scanned for viruses just now, so it was not "
        f"saved; try again later.",
        code="scan_failed",
    )
