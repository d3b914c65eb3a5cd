"""The first bytes of each kind of file ICMS takes, as its content check reads them."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import PDF_BYTES


def _docx() -> bytes:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<w:document/>")
    return packed.getvalue()


SAMPLES = {
    "order.pdf": PDF_BYTES,
    "consent.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"\xec\xa5\xc1\x00",
    "agreement.docx": _docx(),
    "form.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100,
    "form.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
    "form.heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100,
}
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100
MZ = b"MZ\x90\x00" + b"\x00" * 200


def upload(name: str = "order.pdf", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, SAMPLES[name] if data is None else data)
