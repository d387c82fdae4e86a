"""Attachments: type by content, names, limits, storage, metadata stripping, cleanup, and the per-page lookup."""

import hashlib
import io
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from app.discussions import attachments
from app.discussions.attachments import UploadError, attach_uploads, clean_display_name, for_posts, human_size
from app.discussions.models import Post
from app.extensions import db
from tests.discussions.attachment_files import (
    image_bytes,
    jpeg_with_gps,
    odf_bytes,
    ole_bytes,
    ooxml_bytes,
    pdf_bytes,
    upload,
    zip_bytes,
)
from tests.factories import make_post, make_thread


@pytest.fixture
def post():
    thread = make_thread()
    return make_post(thread, thread.author)


def files_in(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


ALLOWED = [
    ("фото.png", lambda: image_bytes("PNG"), "image/png", True),
    ("фото.jpg", lambda: image_bytes("JPEG"), "image/jpeg", True),
    ("фото.jpeg", lambda: image_bytes("JPEG"), "image/jpeg", True),
    ("анимация.gif", lambda: image_bytes("GIF"), "image/gif", True),
    ("снимок.webp", lambda: image_bytes("WEBP"), "image/webp", True),
    ("Урок 1. Дроби.pdf", pdf_bytes, "application/pdf", False),
    (
        "конспект.docx",
        lambda: ooxml_bytes("docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        False,
    ),
    (
        "оценки.xlsx",
        lambda: ooxml_bytes("xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        False,
    ),
    (
        "слайды.pptx",
        lambda: ooxml_bytes("pptx"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        False,
    ),
    ("план.odt", lambda: odf_bytes("odt"), "application/vnd.oasis.opendocument.text", False),
    ("таблица.ods", lambda: odf_bytes("ods"), "application/vnd.oasis.opendocument.spreadsheet", False),
    ("показ.odp", lambda: odf_bytes("odp"), "application/vnd.oasis.opendocument.presentation", False),
    ("старый.doc", lambda: ole_bytes("WordDocument"), "application/msword", False),
    ("старая.xls", lambda: ole_bytes("Workbook"), "application/vnd.ms-excel", False),
    ("старая.ppt", lambda: ole_bytes("PowerPoint Document"), "application/vnd.ms-powerpoint", False),
    ("заметки.txt", lambda: "Заметки к уроку\nстрока 2".encode(), "text/plain; charset=utf-8", False),
    ("windows.txt", lambda: "Заметки к уроку, cp1251".encode("cp1251"), "text/plain; charset=windows-1251", False),
    ("архив.zip", zip_bytes, "application/zip", False),
]


@pytest.mark.parametrize(("name", "build", "content_type", "is_image"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_every_allowed_type_is_accepted_and_stored(uploads, post, name, build, content_type, is_image):
    data = build()
    # The browser's Content-Type is ignored: every file claims to be an octet stream here.
    (attachment,) = attach_uploads(post.author, post, [upload(data, name)])
    assert attachment.id is not None and attachment.post_id == post.id and attachment.uploader_id == post.author_id
    assert attachment.display_name == name
    assert attachment.content_type == content_type
    assert attachment.is_image is is_image
    stored = uploads / attachment.stored_name
    assert stored.read_bytes() == data  # no metadata to strip in these: the original bytes are kept
    assert attachment.size == len(data) and attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert len(attachment.stored_name) == 32 and name not in attachment.stored_name
    if is_image:
        assert (attachment.width, attachment.height) == (640, 480)
        thumb = Image.open(uploads / attachment.thumbnail_name)
        assert max(thumb.size) == 320 and thumb.size == (320, 240)
    else:
        assert attachment.thumbnail_name is None and attachment.width is None


def test_a_name_without_extension_gets_the_one_of_its_content(uploads, post):
    (attachment,) = attach_uploads(post.author, post, [upload(pdf_bytes(), "Положение о конкурсе")])
    assert attachment.display_name == "Положение о конкурсе.pdf"


REFUSED = [
    ("программа.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "не поддерживается"),
    ("страница.html", b"<!doctype html><html><script>alert(1)</script></html>", "не совпадает"),
    ("рисунок.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "не совпадает"),
    ("документ.pdf", b"<html><body>not a pdf</body></html>", "не совпадает"),
    ("фото.jpg", pdf_bytes(), "не совпадает"),
    ("фото.png", image_bytes("JPEG"), "не совпадает"),
    ("архив.zip", ooxml_bytes("docx"), "не совпадает"),
    ("конспект.docx", zip_bytes(), "не совпадает"),
    ("старый.doc", ole_bytes("Workbook"), "не поддерживается"),
    ("старый.bin", ole_bytes("WordDocument"), "не поддерживается"),
    ("битое.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x13\x37" * 200, "повреждено"),
    ("обрезанное.png", image_bytes("PNG")[:60], "повреждено"),
    ("битый.zip", b"PK\x03\x04" + b"\x00garbage" * 20, "не поддерживается"),
    ("бинарный.txt", bytes(range(1, 32)) * 4, "не поддерживается"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_files_not_matching_an_allowed_type_are_refused(uploads, post, name, data, message):
    with pytest.raises(UploadError) as refused:
        attach_uploads(post.author, post, [upload(data, name, "application/pdf")])
    assert message in refused.value.message and name in refused.value.message
    assert files_in(uploads) == []
    assert db.session.scalars(db.select(attachments.Attachment)).all() == []


def test_a_refused_file_refuses_the_whole_form_and_writes_nothing(uploads, post):
    good = upload(pdf_bytes(), "хороший.pdf")
    bad = upload(b"<html></html>", "плохой.pdf")
    with pytest.raises(UploadError):
        attach_uploads(post.author, post, [good, bad])
    assert files_in(uploads) == []


def test_too_big_a_file_is_refused_with_the_limit(app, uploads, post):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    with pytest.raises(UploadError) as refused:
        attach_uploads(post.author, post, [upload(b"a" * 1025, "большой.txt")])
    assert "слишком большой" in refused.value.message and "1 КБ" in refused.value.message
    (attachment,) = attach_uploads(post.author, post, [upload(b"a" * 1024, "впритык.txt")])
    assert attachment.size == 1024


def test_too_many_files_are_refused(app, uploads, post):
    app.config["ATTACHMENT_MAX_PER_POST"] = 3
    files = [upload(pdf_bytes(), f"файл {n}.pdf") for n in range(4)]
    with pytest.raises(UploadError) as refused:
        attach_uploads(post.author, post, files)
    assert "не больше 3" in refused.value.message
    assert files_in(uploads) == []
    assert len(attach_uploads(post.author, post, files[:3])) == 3


def test_the_same_file_twice_is_attached_once(uploads, post):
    first = attach_uploads(post.author, post, [upload(pdf_bytes(), "план.pdf"), upload(pdf_bytes(), "план.pdf")])
    assert len(first) == 1
    assert attach_uploads(post.author, post, [upload(pdf_bytes(), "план.pdf")]) == []
    (renamed,) = attach_uploads(post.author, post, [upload(pdf_bytes(), "план, копия.pdf")])
    assert renamed.display_name == "план, копия.pdf"
    assert len(files_in(uploads)) == 2


def test_empty_file_inputs_are_ignored(uploads, post):
    empty = upload(b"", "")
    assert attach_uploads(post.author, post, [empty, upload(b"", "  ")]) == []
    (attachment,) = attach_uploads(post.author, post, [empty, upload(pdf_bytes(), "один.pdf")])
    assert attachment.display_name == "один.pdf"


def test_an_empty_named_file_is_refused(uploads, post):
    with pytest.raises(UploadError, match="пуст"):
        attach_uploads(post.author, post, [upload(b"", "пустой.txt")])


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Урок 1. Дроби.pdf", "Урок 1. Дроби.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\план.txt", "план.txt"),
        ("отчёт\u202etxt.exe", "отчётtxt.exe"),  # a right-to-left override would show «отчётexe.txt»
        ("смета\x00\x07\n.pdf", "смета.pdf"),
        ("  ..скрытый.pdf  ", "скрытый.pdf"),
        ("Е\u0308лка.pdf", "Ёлка.pdf"),  # decomposed ё is composed
        ("..", ""),
    ],
)
def test_display_names_keep_cyrillic_and_lose_paths_and_controls(raw, shown):
    assert clean_display_name(raw) == shown


def test_long_names_are_cut_keeping_the_extension():
    name = clean_display_name("Очень длинное название " * 20 + ".docx")
    assert len(name) <= attachments.MAX_NAME_LENGTH and name.endswith(".docx")


def test_a_path_traversal_name_is_stored_harmlessly(uploads, post, tmp_path):
    (attachment,) = attach_uploads(post.author, post, [upload(pdf_bytes(), "../../../x/Урок.pdf")])
    assert attachment.display_name == "Урок.pdf"
    assert [p.name for p in files_in(uploads)] == [attachment.stored_name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uploads"]


def test_photo_metadata_is_stripped_and_orientation_applied(uploads, post):
    data = jpeg_with_gps(size=(400, 200), orientation=6)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the test photo does carry GPS
    (attachment,) = attach_uploads(post.author, post, [upload(data, "экскурсия.jpg")])
    stored = (uploads / attachment.stored_name).read_bytes()
    for path in (uploads / attachment.stored_name, uploads / attachment.thumbnail_name):
        image = Image.open(path)
        assert not image.getexif() and "exif" not in image.info
    assert b"PhoneCam" not in stored
    # Rotated by the tag, then the tag dropped: the picture stands upright.
    assert (attachment.width, attachment.height) == (200, 400)
    assert Image.open(uploads / attachment.stored_name).size == (200, 400)
    assert attachment.size == len(stored) and attachment.sha256 == hashlib.sha256(stored).hexdigest()


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "схема.png"), ("WEBP", "снимок.webp")])
def test_metadata_is_stripped_from_png_and_webp_too(uploads, post, fmt, name):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    data = image_bytes(fmt, (100, 80), exif=exif)
    assert b"PhoneCam" in data
    (attachment,) = attach_uploads(post.author, post, [upload(data, name)])
    stored = (uploads / attachment.stored_name).read_bytes()
    assert b"PhoneCam" not in stored and Image.open(io.BytesIO(stored)).format == fmt
    assert b"PhoneCam" not in (uploads / attachment.thumbnail_name).read_bytes()


def test_transparent_images_get_png_thumbnails(uploads, post):
    data = image_bytes("PNG", (1000, 500), mode="RGBA")
    (attachment,) = attach_uploads(post.author, post, [upload(data, "схема.png")])
    assert attachment.thumbnail_name.endswith(".thumb.png")
    assert Image.open(uploads / attachment.thumbnail_name).size == (320, 160)


def test_files_of_a_rolled_back_transaction_are_deleted(uploads, post):
    attach_uploads(post.author, post, [upload(image_bytes("PNG"), "фото.png"), upload(pdf_bytes(), "док.pdf")])
    assert len(files_in(uploads)) == 3  # two files and a thumbnail
    db.session.rollback()
    assert files_in(uploads) == []


def test_files_of_a_request_that_never_commits_are_deleted(uploads, post):
    attach_uploads(post.author, post, [upload(pdf_bytes(), "док.pdf")])
    db.session.close()  # what the app's teardown does when a view failed before its commit
    assert files_in(uploads) == []


def test_files_of_a_request_that_ends_without_commit_are_removed_at_teardown(app, uploads, post):
    post_id = post.id
    with app.app_context(), app.test_request_context():  # a request of its own, with its own session
        request_post = db.session.get(Post, post_id)
        attach_uploads(request_post.author, request_post, [upload(pdf_bytes(), "док.pdf")])
        assert len(files_in(uploads)) == 1
    assert files_in(uploads) == []  # the app's teardown closed the session, and the files went with it


def test_files_of_a_request_that_commits_stay_after_teardown(app, uploads, post):
    post_id = post.id
    with app.app_context(), app.test_request_context():
        request_post = db.session.get(Post, post_id)
        (attachment,) = attach_uploads(request_post.author, request_post, [upload(pdf_bytes(), "док.pdf")])
        stored_name = attachment.stored_name
        db.session.commit()
    assert [p.name for p in files_in(uploads)] == [stored_name]


def test_too_many_pixels_is_refused(app, uploads, post, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(UploadError, match="слишком большое по числу точек"):
        attach_uploads(post.author, post, [upload(image_bytes("PNG", (100, 100)), "огромное.png")])
    assert files_in(uploads) == []


def test_committed_files_stay(uploads, post):
    (attachment,) = attach_uploads(post.author, post, [upload(pdf_bytes(), "док.pdf")])
    stored_name = attachment.stored_name
    db.session.commit()
    db.session.close()
    assert [p.name for p in files_in(uploads)] == [stored_name]


def test_for_posts_loads_a_page_in_one_query(uploads, count_queries):
    thread = make_thread()
    posts = [make_post(thread, thread.author) for _ in range(3)]
    attach_uploads(thread.author, posts[0], [upload(pdf_bytes(), "a.pdf"), upload(image_bytes("PNG"), "b.png")])
    attach_uploads(thread.author, posts[2], [upload(zip_bytes(), "c.zip")])
    with count_queries() as q:
        found = for_posts([p.id for p in posts])
    assert q.count == 1
    assert [a.display_name for a in found[posts[0].id]] == ["a.pdf", "b.png"]
    assert found[posts[1].id] == []
    assert [a.display_name for a in found[posts[2].id]] == ["c.zip"]
    assert for_posts([]) == {}


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 Б"),
        (1023, "1023 Б"),
        (1024, "1 КБ"),
        (12 * 1024 + 100, "12 КБ"),
        (1258291, "1,2 МБ"),
        (20 << 20, "20 МБ"),
    ],
)
def test_human_sizes_in_russian(app, size, shown):
    with app.test_request_context():
        assert human_size(size) == shown
