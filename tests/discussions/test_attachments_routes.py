"""Serving attachments: who may download, with which headers; the partials; the whole-request size limit."""

from urllib.parse import quote

from flask import render_template

from app.associations.models import JoinPolicy, MemberRole, Visibility
from app.db import utcnow
from app.discussions.attachments import attach_uploads, for_posts
from app.extensions import db
from tests.discussions.attachment_files import image_bytes, jpeg_with_gps, pdf_bytes, upload
from tests.factories import make_association, make_membership, make_post, make_thread, make_user


def _post_with_files(association=None, author=None, files=None):
    author = author or make_user()
    association = association or make_association(members=[author])
    thread = make_thread(author, association)
    post = make_post(thread, author)
    made = attach_uploads(author, post, files or [upload(pdf_bytes(), "Урок 1. Дроби.pdf")])
    return post, made


def _members_only(**kwargs):
    return make_association(visibility=Visibility.MEMBERS, join_policy=JoinPolicy.REQUEST, **kwargs)


def _url(attachment, thumb=False):
    if thumb:
        return f"/attachments/{attachment.id}/thumb"
    return f"/attachments/{attachment.id}/{quote(attachment.display_name)}"


def test_anyone_downloads_from_a_public_association_with_strict_headers(client, uploads):
    _, (attachment,) = _post_with_files()
    response = client.get(_url(attachment))
    assert response.status_code == 200
    assert response.data == pdf_bytes()
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("Урок 1. Дроби.pdf") in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    cache = response.headers["Cache-Control"]
    assert "private" in cache and "public" not in cache


def test_the_name_in_the_url_does_not_choose_the_file(client, uploads):
    _, (attachment,) = _post_with_files()
    response = client.get(f"/attachments/{attachment.id}/other.html")
    assert response.data == pdf_bytes() and response.headers["Content-Type"] == "application/pdf"
    assert client.get(f"/attachments/{attachment.id}/..%2F..%2Fconfig.py").status_code == 404


def test_content_type_comes_from_our_detection_not_the_browser(client, uploads):
    text = "Памятка для родителей".encode("cp1251")
    _, (attachment,) = _post_with_files(files=[upload(text, "памятка.txt", "text/html")])
    response = client.get(_url(attachment))
    assert response.headers["Content-Type"] == "text/plain; charset=windows-1251"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data == text


def test_images_are_inline_with_a_thumbnail(client, uploads):
    _, (attachment,) = _post_with_files(files=[upload(image_bytes("PNG"), "Схема урока.png")])
    response = client.get(_url(attachment))
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;") and "filename*=UTF-8''" + quote("Схема урока.png") in disposition
    thumb = client.get(_url(attachment, thumb=True))
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"
    assert thumb.data[:3] == b"\xff\xd8\xff"


def test_a_served_photo_carries_no_gps(client, uploads):
    _, (attachment,) = _post_with_files(files=[upload(jpeg_with_gps(), "экскурсия.jpg")])
    for url in (_url(attachment), _url(attachment, thumb=True)):
        assert b"PhoneCam" not in client.get(url).data and b"GPS" not in client.get(url).data


def test_documents_have_no_thumbnail(client, uploads):
    _, (attachment,) = _post_with_files()
    assert client.get(_url(attachment, thumb=True)).status_code == 404


def test_unknown_attachment_is_404(client, uploads):
    assert client.get("/attachments/999999/x.pdf").status_code == 404
    assert client.get("/attachments/999999/thumb").status_code == 404


def test_a_member_of_another_members_only_association_gets_404(client, login, uploads):
    author = make_user()
    _, (attachment,) = _post_with_files(_members_only(members=[author]), author)
    outsider = make_user()
    _members_only(members=[outsider])
    login(outsider)
    assert client.get(_url(attachment)).status_code == 404


def test_anonymous_gets_404_in_a_members_only_association(client, uploads):
    author = make_user()
    _, (attachment,) = _post_with_files(_members_only(members=[author]), author)
    assert client.get(_url(attachment)).status_code == 404
    assert client.get(_url(attachment, thumb=True)).status_code == 404


def test_a_member_downloads_in_a_members_only_association(client, login, uploads):
    author, reader = make_user(), make_user()
    _, (attachment,) = _post_with_files(_members_only(members=[author, reader]), author)
    login(reader)
    assert client.get(_url(attachment)).status_code == 200


def test_files_of_a_deleted_post_are_only_for_moderators(client, login, uploads):
    author, leader = make_user(), make_user()
    association = make_association(members=[author])
    make_membership(leader, association, role=MemberRole.LEADER)
    post, (attachment,) = _post_with_files(association, author)
    post.deleted_at = utcnow()
    db.session.flush()
    assert client.get(_url(attachment)).status_code == 404
    login(leader)
    assert client.get(_url(attachment)).status_code == 200


def test_a_missing_file_on_disk_is_404_not_500(client, uploads):
    _, (attachment,) = _post_with_files()
    (uploads / attachment.stored_name).unlink()
    assert client.get(_url(attachment)).status_code == 404


def test_a_request_larger_than_the_limit_gets_the_413_page(app, client):
    saved = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 4096
    try:
        response = client.post("/login", data={"email": "a@example.org", "password": "x" * 10_000})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = saved
    assert response.status_code == 413
    assert "Слишком большой запрос" in response.get_data(as_text=True)


def test_the_request_limit_leaves_room_for_every_allowed_file(app):
    config = app.config
    assert config["MAX_CONTENT_LENGTH"] > config["ATTACHMENT_MAX_BYTES"] * config["ATTACHMENT_MAX_PER_POST"]


def _render_attachments(app, post, view):
    with app.test_request_context():
        return render_template("discussions/_post_attachments.html", post=post, thread=post.thread, view=view)


def test_the_partial_shows_thumbnails_and_download_links(app, uploads):
    files = [upload(image_bytes("JPEG", (640, 320)), "Доска.jpg"), upload(b"x" * 1258291, "Большой текст.txt")]
    post, (image, document) = _post_with_files(files=files)
    html = _render_attachments(app, post, {"attachments": for_posts([post.id])})
    assert f'href="/attachments/{image.id}/' in html
    assert f'src="/attachments/{image.id}/thumb"' in html and 'alt="Доска.jpg"' in html
    assert 'width="320" height="160"' in html
    assert "Большой текст.txt" in html and "Текст, 1,2 МБ" in html
    assert f'href="/attachments/{document.id}/{quote("Большой текст.txt")}"' in html


def test_the_partial_is_empty_without_files_or_for_a_deleted_post(app, uploads):
    post, _ = _post_with_files()
    assert "attachment" not in _render_attachments(app, post, {"attachments": for_posts([])})
    post.deleted_at = utcnow()
    assert "attachment" not in _render_attachments(app, post, {"attachments": for_posts([post.id])})


def test_the_partial_labels_document_types(app, uploads):
    post, _ = _post_with_files()
    html = _render_attachments(app, post, {"attachments": for_posts([post.id])})
    assert "PDF, " in html and "download>Урок 1. Дроби.pdf</a>" in html


def test_the_upload_field_lists_types_and_limits(app):
    with app.test_request_context():
        html = render_template("discussions/_upload_field.html")
        refused = render_template("discussions/_upload_field.html", upload_error="Файл «x.exe» нельзя прикрепить.")
    assert '<input type="file" id="files" name="files" multiple' in html and '<label for="files">' in html
    assert "JPEG, PNG, WebP, GIF" in html and "До 10 файлов, каждый не больше 20 МБ." in html
    assert 'id="files-error"' not in html
    assert "Файл «x.exe» нельзя прикрепить." in refused and 'aria-invalid="true"' in refused
