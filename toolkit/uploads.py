"""What ICMS accepts as a document (a referral's, one on a young person's file): checked by its
content, not its name, so a renamed program or a file of another kind is refused; and how a
stored file is given back."""

from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse

# What may be attached: detected content type -> the file name endings that may carry it.
ATTACHMENT_TYPES = {
    "application/pdf": {".pdf"},
    "application/msword": {".doc"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/heic": {".heic"},
}
# For the file inputs' `accept`: what the phone or the browser offers to choose.
ACCEPTED_ENDINGS = ",".join(
    sorted({ending for endings in ATTACHMENT_TYPES.values() for ending in endings})
)


def check_upload(upload: UploadedFile, *, limit_mb: int) -> str:
    """Refuse what is too big, or is not what its name says; return the detected type."""
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            f"“{upload.name}” is {upload.size / 1024 / 1024:.1f} MB; the limit is {limit_mb} MB."
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ATTACHMENT_TYPES:
        what = f"really a .{kind.extension} file" if kind else "of a kind ICMS cannot check"
        raise ValidationError(
            f"“{upload.name}” is {what}. Attach a PDF, a Word document, or a photo (JPEG, PNG)."
        )
    if PurePath(upload.name).suffix.lower() not in ATTACHMENT_TYPES[kind.mime]:
        raise ValidationError(
            f"“{upload.name}” is not what its name says: its content is a {kind.extension} file."
        )
    return kind.mime


def as_download(file: File, *, filename: str, content_type: str) -> FileResponse:
    """A stored file, always as a download, never shown in the browser: a file's content is
    not trusted to be what it says."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
