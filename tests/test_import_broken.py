"""A corpus of broken files: each gives a clear message and writes nothing.

The files are made here (small), and the 50 MB one on the fly in tmp_path, so that the
repository carries no binary oddities."""

import io
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.management import CommandError, call_command

from actionplans.importing import ImportRejected, build_preview, read_file
from actionplans.models import Action, Plan
from inspections.models import Finding
from partners.models import Agency, Post

SAMPLES = Path(__file__).parent / "data" / "samples"


def _xlsx(rows, **kwargs) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rezip(data: bytes, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, (replace or {}).get(item.filename, source.read(item.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def empty(tmp_path):
    return "empty.csv", b""


def blank_lines(tmp_path):
    return "blank.csv", b"\n\n  \n,,,\n"


def password_protected(tmp_path):
    # An encrypted OOXML workbook is an OLE compound file holding an "EncryptedPackage" stream.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return "protected.xlsx", header + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1024


def old_xls(tmp_path):
    return "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048


def corrupt_xlsx(tmp_path):
    return "corrupt.xlsx", b"PK\x03\x04 this is not really a zip file" + bytes(range(256))


def truncated_xlsx(tmp_path):
    data = (SAMPLES / "oxfordshire-jtai-2016-action-plan.xlsx").read_bytes()
    return "truncated.xlsx", data[: len(data) // 2]


def zip_not_office(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return "plan.xlsx", out.getvalue()


def docx_without_table(tmp_path):
    document = docx.Document()
    document.add_heading("Written Statement of Action", 1)
    document.add_paragraph("The plan will follow.")
    buffer = io.BytesIO()
    document.save(buffer)
    return "no-table.docx", buffer.getvalue()


def csv_without_header(tmp_path):
    return "no-header.csv", b"apples,pears,plums\n1,2,3\n4,5,6\n"


def csv_of_prose(tmp_path):
    return "letter.csv", "Dear colleagues,\nPlease find the plan attached.\n".encode("cp1252")


def xlsx_without_header(tmp_path):
    return "numbers.xlsx", _xlsx([["a", "b"], [1, 2]])


def headings_but_no_actions(tmp_path):
    return "headings-only.csv", b"Action,Lead,Completion date\n"


def huge_file(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(b"Action,Lead,Completion date\n")
        handle.truncate(50 * 1024 * 1024)
    return path


def formulas_without_values(tmp_path):
    return "formulas.xlsx", _xlsx([["Action", "Lead", "Completion date"], ["Audit", "PSW", "=TODAY()+30"]])


def macro_enabled(tmp_path):
    data = _xlsx([["Action", "Lead"], ["Audit", "PSW"]])
    return "plan.xlsm", data


def macros_inside_xlsx(tmp_path):
    data = _xlsx([["Action", "Lead"], ["Audit", "PSW"]])
    return "plan.xlsx", _rezip(data, add={"xl/vbaProject.bin": b"\x00" * 64})


def zip_bomb(tmp_path):
    data = _xlsx([["Action", "Lead"], ["Audit", "PSW"]])
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        with target.open("xl/media/padding.bin", "w") as handle:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(201):
                handle.write(chunk)
    return "bomb.xlsx", out.getvalue()


def binary_as_csv(tmp_path):
    return "image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def pdf(tmp_path):
    return "plan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


CORPUS = [
    (empty, "empty"),
    (blank_lines, "empty"),
    (password_protected, "password-protected"),
    (old_xls, "old-style"),
    (corrupt_xlsx, "damaged"),
    (truncated_xlsx, "damaged"),
    (zip_not_office, "damaged"),
    (docx_without_table, "no table"),
    (csv_without_header, "heading row"),
    (csv_of_prose, "heading row"),
    (xlsx_without_header, "heading row"),
    (headings_but_no_actions, "no actions"),
    (huge_file, "50.0 MB"),
    (formulas_without_values, "formulas"),
    (macro_enabled, "macro"),
    (macros_inside_xlsx, "macros"),
    (zip_bomb, "unsafe"),
    (binary_as_csv, "not a text"),
    (pdf, ".pdf"),
]


def _file(make, tmp_path) -> Path:
    made = make(tmp_path)
    if isinstance(made, Path):
        return made
    name, data = made
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("make,words", CORPUS, ids=[m.__name__ for m, _ in CORPUS])
def test_broken_file_is_refused_clearly(make, words, tmp_path):
    path = _file(make, tmp_path)
    with pytest.raises(ImportRejected) as caught:
        build_preview(read_file(path))
    assert words.lower() in caught.value.message.lower()
    assert len(caught.value.message) < 300


@pytest.mark.parametrize("make,words", CORPUS, ids=[m.__name__ for m, _ in CORPUS])
def test_broken_file_writes_nothing(make, words, tmp_path, db):
    path = _file(make, tmp_path)
    with pytest.raises(CommandError, match=words if words != ".pdf" else r"\.pdf"):
        call_command("import_plan", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Plan.objects.exists() and not Action.objects.exists()
    assert not Finding.objects.exists() and not Agency.objects.exists() and not Post.objects.exists()


def test_size_is_checked_before_reading_an_open_file(tmp_path):
    path = huge_file(tmp_path)
    with path.open("rb") as handle, pytest.raises(ImportRejected, match="largest file"):
        read_file(handle, filename="huge.csv")


def test_formulas_with_saved_values_are_read_with_a_warning(tmp_path):
    data = _xlsx([["Action", "Lead", "Completion date"], ["Audit", "PSW", "=1+1"]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace("<f>1+1</f><v></v>", "<f>1+1</f><v>42825</v>").replace("<f>1+1</f>", "<f>1+1</f><v>42825</v>", 1)
    path = tmp_path / "cached.xlsx"
    path.write_bytes(_rezip(data, replace={"xl/worksheets/sheet1.xml": sheet.encode()}))
    preview = build_preview(read_file(path))
    assert preview.actions[0].due.due_date.isoformat() == "2017-03-31"
    assert any("formula" in p.message for p in preview.problems)


def test_unknown_sheet_lists_the_sheets(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(_xlsx([["Action", "Lead"], ["Audit", "PSW"]]))
    with pytest.raises(ImportRejected, match='no sheet called "Plan B". Its sheets are: Sheet'):
        read_file(path, sheet="Plan B")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_in_any_common_encoding_and_delimiter(encoding, delimiter, tmp_path):
    rows = [["Issue", "Action", "Lead", "Deadline"], ["Supervision – not regular", "Audit supervision £", "Head of Service", "31/03/2017"]]
    text = "\r\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in rows)
    path = tmp_path / "plan.csv"
    path.write_bytes(text.encode(encoding))
    preview = build_preview(read_file(path))
    (action,) = preview.actions
    assert action.action == "Audit supervision £" and action.findings[0].text == "Supervision – not regular"
    assert action.due.due_date.isoformat() == "2017-03-31"
