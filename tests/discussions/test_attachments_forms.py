"""Attachments through the real forms: new thread and reply, refusals kept beside the field, the thread page."""

import io

import pytest

from app.discussions.attachments import attach_uploads
from app.discussions.models import Attachment, Post, Thread
from app.extensions import db
from tests.discussions.attachment_files import image_bytes, pdf_bytes, upload
from tests.factories import make_association, make_post, make_thread, make_user


def stored_files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _attachments_of(post_id):
    return db.session.scalars(db.select(Attachment).where(Attachment.post_id == post_id).order_by(Attachment.id)).all()


def test_a_new_thread_carries_its_files(client, login, uploads):
    author = make_user()
    association = make_association(members=[author])
    login(author)
    response = client.post(
        f"/associations/{association.slug}/threads/new",
        data={
            "title": "Контрольная по дробям",
            "body": "Прикладываю задания.",
            "kind": "discussion",
            "files": [(io.BytesIO(pdf_bytes()), "Урок 1. Дроби.pdf"), (io.BytesIO(image_bytes("PNG")), "доска.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    thread = db.session.scalar(db.select(Thread).where(Thread.title == "Контрольная по дробям"))
    opening = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id, Post.number == 1))
    files = _attachments_of(opening.id)
    assert [f.display_name for f in files] == ["Урок 1. Дроби.pdf", "доска.png"]
    assert len(stored_files(uploads)) == 3  # two files and the thumbnail

    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Урок 1. Дроби.pdf" in page and f'src="/attachments/{files[1].id}/thumb"' in page


def test_a_reply_carries_its_files(client, login, uploads):
    thread = make_thread()
    login(thread.author)
    response = client.post(
        f"/threads/{thread.id}/reply",
        data={"body": "Вот презентация.", "files": [(io.BytesIO(pdf_bytes()), "Презентация.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    reply = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id, Post.number == 2))
    assert [f.display_name for f in _attachments_of(reply.id)] == ["Презентация.pdf"]


def test_a_refused_file_rerenders_the_reply_with_the_text_kept(client, login, uploads):
    thread = make_thread()
    login(thread.author)
    response = client.post(
        f"/threads/{thread.id}/reply",
        data={
            "body": "Очень длинный и важный ответ коллегам.",
            "files": [(io.BytesIO(pdf_bytes()), "хороший.pdf"), (io.BytesIO(b"<html></html>"), "плохой.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Очень длинный и важный ответ коллегам." in html
    assert 'id="files-error"' in html and "«плохой.pdf»" in html
    assert db.session.scalar(db.select(db.func.count(Post.id)).where(Post.thread_id == thread.id)) == 1
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0
    assert stored_files(uploads) == []


def test_a_too_big_file_rerenders_the_new_thread_form(app, client, login, uploads):
    app.config["ATTACHMENT_MAX_BYTES"] = 2048
    author = make_user()
    association = make_association(members=[author])
    login(author)
    response = client.post(
        f"/associations/{association.slug}/threads/new",
        data={
            "title": "Тема с большим файлом",
            "body": "Текст, который нельзя потерять.",
            "kind": "discussion",
            "files": [(io.BytesIO(b"a" * 4096), "большой.txt")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Текст, который нельзя потерять." in html and "Тема с большим файлом" in html
    assert "слишком большой" in html
    assert db.session.scalar(db.select(Thread).where(Thread.title == "Тема с большим файлом")) is None
    assert stored_files(uploads) == []


def test_a_double_submitted_reply_attaches_its_files_once(client, login, uploads):
    thread = make_thread()
    login(thread.author)
    for _ in range(2):
        response = client.post(
            f"/threads/{thread.id}/reply",
            data={
                "body": "Один раз.",
                "submission_token": "same-token-1234567890",
                "files": [(io.BytesIO(pdf_bytes()), "план.pdf")],
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
    (reply,) = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id, Post.number > 1)).all()
    assert len(_attachments_of(reply.id)) == 1
    assert len(stored_files(uploads)) == 1


def _thread_with_files(files_per_post: int):
    thread = make_thread()
    posts = [make_post(thread, thread.author) for _ in range(3)]
    if files_per_post:
        for post in posts:
            files = [upload(pdf_bytes(), f"файл {n}.pdf") for n in range(files_per_post - 1)]
            attach_uploads(thread.author, post, [*files, upload(image_bytes("PNG", (64, 64)), "фото.png")])
    return thread


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_thread_page_query_count_does_not_grow_with_attachments(client, login, uploads, count_queries, signed_in):
    counts = []
    for files_per_post in (0, 10):
        thread = _thread_with_files(files_per_post)
        if signed_in:
            login(thread.author)
        client.get(f"/threads/{thread.id}")  # the first view records reading state; count a steady one
        with count_queries() as q:
            response = client.get(f"/threads/{thread.id}")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("/thumb") == (3 if files_per_post else 0)
        counts.append(q.count)
    assert counts[0] == counts[1]


def test_a_traversal_name_in_filename_star_is_harmless(client, login, uploads, tmp_path):
    """Werkzeug decodes filename*=UTF-8''..%2F..%2Fx into ../../x: the display name keeps only the last part."""
    thread = make_thread()
    login(thread.author)
    boundary = "vmk-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\nОтвет с файлом.\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f"filename*=UTF-8''..%2F..%2F%D0%A3%D1%80%D0%BE%D0%BA.pdf\r\nContent-Type: image/jpeg\r\n\r\n"
        ).encode()
        + pdf_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        f"/threads/{thread.id}/reply", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 302
    reply = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id, Post.number == 2))
    (attachment,) = _attachments_of(reply.id)
    assert attachment.display_name == "Урок.pdf" and attachment.content_type == "application/pdf"
    assert stored_files(uploads) == [attachment.stored_name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uploads"]
