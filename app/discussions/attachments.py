"""Attachments of posts: checked by content, stored under random names outside static/, listed per page.

The type of a file is decided by its bytes (magic numbers, the inner manifest of ZIP-based office files, a real
decode of images), never by its name or the browser's Content-Type; a name whose extension contradicts the content is
refused. The display name keeps the Cyrillic; the file on disk gets a random name, so no client text reaches a path.

Files and the transaction: `attach_uploads` validates every file first and writes nothing until all are accepted.
Then it writes them (during the request, before the commit) and records their paths on the session; a listener
forgets them when the transaction commits and deletes them when it ends any other way (rollback, an error, a request
that never commits), so no orphan file outlives a failed request.
"""

import hashlib
import io
import re
import secrets
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from app.auth.models import User
from app.db import prepared
from app.discussions.models import Attachment, Post
from app.extensions import db
from app.i18n import format_number

THUMBNAIL_SIZE = 320
MAX_NAME_LENGTH = 150
_PENDING_KEY = "vmk_pending_upload_paths"


class UploadError(Exception):
    """A refused upload, with a Russian message fit to show beside the file field."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FileKind:
    content_type: str
    label: object  # a lazy string
    extensions: tuple[str, ...]  # the first one is added to a display name that has none
    is_image: bool = False


KINDS = {
    "jpeg": FileKind("image/jpeg", _l("Изображение JPEG"), ("jpg", "jpeg", "jpe", "jfif"), True),
    "png": FileKind("image/png", _l("Изображение PNG"), ("png",), True),
    "webp": FileKind("image/webp", _l("Изображение WebP"), ("webp",), True),
    "gif": FileKind("image/gif", _l("Изображение GIF"), ("gif",), True),
    "pdf": FileKind("application/pdf", _l("PDF"), ("pdf",)),
    "docx": FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _l("Документ Word"), ("docx",)
    ),
    "xlsx": FileKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _l("Таблица Excel"), ("xlsx",)
    ),
    "pptx": FileKind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _l("Презентация PowerPoint"),
        ("pptx",),
    ),
    "odt": FileKind("application/vnd.oasis.opendocument.text", _l("Документ OpenDocument"), ("odt",)),
    "ods": FileKind("application/vnd.oasis.opendocument.spreadsheet", _l("Таблица OpenDocument"), ("ods",)),
    "odp": FileKind("application/vnd.oasis.opendocument.presentation", _l("Презентация OpenDocument"), ("odp",)),
    "doc": FileKind("application/msword", _l("Документ Word"), ("doc",)),
    "xls": FileKind("application/vnd.ms-excel", _l("Таблица Excel"), ("xls",)),
    "ppt": FileKind("application/vnd.ms-powerpoint", _l("Презентация PowerPoint"), ("ppt",)),
    "txt": FileKind("text/plain; charset=utf-8", _l("Текст"), ("txt",)),
    "txt-cp1251": FileKind("text/plain; charset=windows-1251", _l("Текст"), ("txt",)),
    "zip": FileKind("application/zip", _l("Архив ZIP"), ("zip",)),
}
_BY_CONTENT_TYPE = {kind.content_type: kind for kind in KINDS.values()}

_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
_ODF_MIMETYPES = {KINDS[key].content_type: key for key in ("odt", "ods", "odp")}
# Stream names in an OLE2 directory (UTF-16LE) that tell Word, Excel and PowerPoint files apart.
_OLE_STREAMS = {
    "doc": ("WordDocument",),
    "xls": ("Workbook", "Book"),
    "ppt": ("PowerPoint Document",),
}
_OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


# --- names ------------------------------------------------------------------------------------------------------


def clean_display_name(raw: str | None) -> str:
    """The name shown and offered on download: Cyrillic kept; no path, control or bidi characters; limited length."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]  # Werkzeug hands `../../x` through from filename*=UTF-8''..%2F..%2Fx
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C",) and ch not in "\u2028\u2029")
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(" .")
    return name


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


# --- detection by content ---------------------------------------------------------------------------------------


def detect_kind(data: bytes) -> str | None:
    """The key in KINDS that the bytes really are, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_OLE_SIGNATURE):
        return "ole"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _detect_zip(data)
    return _detect_text(data)


def _detect_zip(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "[Content_Types].xml" in names:
            manifest = _read_small(archive, "[Content_Types].xml").decode("utf-8", "replace")
            return next((key for ctype, key in _OOXML_MAIN.items() if ctype in manifest), "zip")
        if "mimetype" in names:
            mimetype = _read_small(archive, "mimetype").decode("ascii", "replace").strip()
            return _ODF_MIMETYPES.get(mimetype, "zip")
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, RuntimeError):
        return None
    return "zip"


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > 1024 * 1024:  # a manifest is a few kilobytes; anything huge is not an office file
        raise ValueError(name)
    return archive.read(info)


def _detect_text(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    for key, encoding in (("txt", "utf-8"), ("txt-cp1251", "cp1251")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if _TEXT_CONTROLS.search(text) else key
    return None


def _ole_kind(data: bytes, extension: str) -> str | None:
    """Old Office files share one container: the extension names the kind, the directory must not contradict it."""
    if extension not in _OLE_STREAMS:
        return None
    found = {key for key, streams in _OLE_STREAMS.items() if any(s.encode("utf-16-le") in data for s in streams)}
    return extension if not found or extension in found else None


# --- images -----------------------------------------------------------------------------------------------------


@dataclass
class _Image:
    width: int
    height: int
    reencoded: bytes | None  # without its metadata; None when the original bytes carry none and are kept
    thumbnail: bytes | None
    thumbnail_ext: str


def _inspect_image(data: bytes, key: str, name: str) -> _Image:
    """Decode the whole image (a corrupt one is refused), drop EXIF/XMP (GPS of pupils' photos) and make a thumbnail."""
    from PIL import Image, ImageOps  # here, not at the top: Pillow is needed by uploads only, not by every worker

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != _PILLOW_FORMATS[key]:
                    raise UploadError(_("Изображение «%(name)s» повреждено или имеет другой формат.", name=name))
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                reencoded = _without_metadata(image, key)
                upright = image if getattr(image, "is_animated", False) else ImageOps.exif_transpose(image)
                thumbnail, ext = _thumbnail(upright)
                return _Image(upright.width, upright.height, reencoded, thumbnail, ext)
    except UploadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError(_("Изображение «%(name)s» слишком большое по числу точек.", name=name)) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise UploadError(_("Изображение «%(name)s» повреждено или не читается.", name=name)) from None


def _without_metadata(image, key: str) -> bytes | None:
    from PIL import ImageOps

    has_exif = bool(image.info.get("exif")) or bool(image.getexif())
    if key == "gif" or not (has_exif or image.info.get("xmp")):
        return None  # nothing to hide: keep the original bytes
    out = io.BytesIO()
    if getattr(image, "is_animated", False):
        image.save(out, format=_PILLOW_FORMATS[key], save_all=True)
        return out.getvalue()
    upright = ImageOps.exif_transpose(image)  # the orientation tag goes with the rest, so apply it to the pixels
    options = {"quality": 90} if key in ("jpeg", "webp") else {"optimize": True}
    if key == "jpeg" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    upright.save(out, format=_PILLOW_FORMATS[key], **options)
    return out.getvalue()


def _thumbnail(image) -> tuple[bytes, str]:
    """A re-encoded, metadata-free copy at most THUMBNAIL_SIZE px on its longer side (first frame of an animation)."""
    if getattr(image, "is_animated", False):
        image.seek(0)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    small = image.convert("RGBA" if has_alpha else "RGB")
    small.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    out = io.BytesIO()
    if has_alpha:
        small.save(out, format="PNG", optimize=True)
        return out.getvalue(), "png"
    small.save(out, format="JPEG", quality=85)
    return out.getvalue(), "jpg"


# --- validation and storage -------------------------------------------------------------------------------------


@dataclass
class _Accepted:
    """A file that passed. Only re-encoded images keep their bytes in memory; others are read again when written."""

    display_name: str
    kind: FileKind
    upload: FileStorage
    sha256: str
    size: int
    image: _Image | None
    replaced: bytes | None = None

    def content(self) -> bytes:
        if self.replaced is not None:
            return self.replaced
        self.upload.stream.seek(0)
        return self.upload.stream.read()


def _file_size(upload: FileStorage) -> int:
    stream = upload.stream
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def human_size(size: int) -> str:
    """«512 Б», «12 КБ», «1,2 МБ» in the current locale."""
    if size < 1024:
        return _("%(size)s Б", size=size)
    if size < 1024 * 1024:
        return _("%(size)s КБ", size=format_number(round(size / 1024)))
    return _("%(size)s МБ", size=format_number(round(size / 1024 / 1024, 1), decimals=1))


def type_label(content_type: str) -> str:
    kind = _BY_CONTENT_TYPE.get(content_type)
    return str(kind.label) if kind else _("Файл")


def allowed_types_hint() -> str:
    return _("Изображения (JPEG, PNG, WebP, GIF), PDF, DOC/DOCX, XLS/XLSX, PPT/PPTX, ODT/ODS/ODP, TXT, ZIP.")


def limits_hint() -> str:
    count = current_app.config["ATTACHMENT_MAX_PER_POST"]
    return ngettext(
        "До %(num)d файла, каждый не больше %(size)s.",
        "До %(num)d файлов, каждый не больше %(size)s.",
        count,
        size=human_size(current_app.config["ATTACHMENT_MAX_BYTES"]),
    )


def validate_upload(upload: FileStorage) -> _Accepted:
    """Accept one file or raise UploadError naming it."""
    name = clean_display_name(upload.filename) or _("файл")
    max_bytes = current_app.config["ATTACHMENT_MAX_BYTES"]
    size = _file_size(upload)
    if size > max_bytes:
        raise UploadError(
            _("Файл «%(name)s» слишком большой: можно не больше %(max)s.", name=name, max=human_size(max_bytes))
        )
    if size == 0:
        raise UploadError(_("Файл «%(name)s» пуст.", name=name))
    data = upload.stream.read()
    extension = extension_of(name)
    key = detect_kind(data)
    if key == "ole":
        key = _ole_kind(data, extension)
    if key is None:
        raise UploadError(_("Файл «%(name)s» нельзя прикрепить: такой тип файлов не поддерживается.", name=name))
    kind = KINDS[key]
    if extension and extension not in kind.extensions:
        raise UploadError(
            _("Расширение файла «%(name)s» не совпадает с его содержимым (%(type)s).", name=name, type=kind.label)
        )
    if not extension:
        name = f"{name[: MAX_NAME_LENGTH - 6]}.{kind.extensions[0]}"
    image = _inspect_image(data, key, name) if kind.is_image else None
    replaced = image.reencoded if image is not None else None
    stored = replaced if replaced is not None else data
    return _Accepted(name, kind, upload, hashlib.sha256(stored).hexdigest(), len(stored), image, replaced)


def attach_uploads(actor: User, post: Post, files: list[FileStorage]) -> list[Attachment]:
    """Check and store the files of a form on a post; all or nothing. Empty file inputs are ignored."""
    uploads = [f for f in files if f is not None and (f.filename or "").strip()]
    if not uploads:
        return []
    limit = current_app.config["ATTACHMENT_MAX_PER_POST"]
    existing = list(db.session.scalars(sa.select(Attachment).where(Attachment.post_id == post.id)))
    if len(uploads) > limit:
        raise UploadError(_too_many(limit))
    accepted = [validate_upload(upload) for upload in uploads]  # nothing is written until every file passes
    # A form sent twice finds its post again (submission token): the same files are not attached twice.
    known = {(a.sha256, a.display_name) for a in existing}
    accepted = [item for item in accepted if not _seen(known, (item.sha256, item.display_name))]
    if len(existing) + len(accepted) > limit:
        raise UploadError(_too_many(limit))
    if not accepted:
        return []
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    attachments = [_store(actor, post, item, folder) for item in accepted]
    db.session.add_all(attachments)
    db.session.flush()
    return attachments


def _seen(known: set, key: tuple) -> bool:
    if key in known:
        return True
    known.add(key)
    return False


def _too_many(limit: int) -> str:
    return ngettext("Можно прикрепить не больше %(num)d файла.", "Можно прикрепить не больше %(num)d файлов.", limit)


def _store(actor: User, post: Post, item: _Accepted, folder: Path) -> Attachment:
    stored_name = secrets.token_hex(16)
    _write(folder / stored_name, item.content())
    attachment = Attachment(
        post_id=post.id,
        uploader_id=actor.id,
        display_name=item.display_name,
        stored_name=stored_name,
        content_type=item.kind.content_type,
        size=item.size,
        is_image=item.kind.is_image,
        sha256=item.sha256,
    )
    if item.image is not None:
        attachment.width, attachment.height = item.image.width, item.image.height
        if item.image.thumbnail is not None:
            attachment.thumbnail_name = f"{stored_name}.thumb.{item.image.thumbnail_ext}"
            _write(folder / attachment.thumbnail_name, item.image.thumbnail)
    return attachment


def _write(path: Path, data: bytes) -> None:
    db.session.info.setdefault(_PENDING_KEY, []).append(str(path))
    with open(path, "xb") as out:  # "x": a random name never overwrites anything
        out.write(data)


@sa.event.listens_for(Session, "after_commit")
def _keep_committed_files(session) -> None:
    session.info.pop(_PENDING_KEY, None)


@sa.event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted_files(session, transaction) -> None:
    if transaction.parent is not None or transaction.nested:
        return
    for path in session.info.pop(_PENDING_KEY, ()):
        Path(path).unlink(missing_ok=True)


# --- reading ----------------------------------------------------------------------------------------------------


@prepared
def _of_posts():
    return (
        sa.select(Attachment)
        .where(Attachment.post_id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(Attachment.post_id, Attachment.id)
    )


def for_posts(post_ids) -> dict[int, list[Attachment]]:
    """The attachments of every post of a page, in one query: {post id: [attachments in upload order]}."""
    ids = list(dict.fromkeys(post_ids))
    result: dict[int, list[Attachment]] = {post_id: [] for post_id in ids}
    if not ids:
        return result
    rows = db.session.scalars(_of_posts(), {"ids": ids})
    for attachment in rows:
        result[attachment.post_id].append(attachment)
    return result


def thumbnail_size(attachment: Attachment) -> tuple[int, int] | None:
    """The thumbnail's width and height (for the <img> attributes, so the page does not jump while loading)."""
    if not (attachment.width and attachment.height):
        return None
    scale = min(1.0, THUMBNAIL_SIZE / max(attachment.width, attachment.height))
    return max(1, round(attachment.width * scale)), max(1, round(attachment.height * scale))


def stored_path(name: str) -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / name
