"""Hostile and broken uploads through the API, as a lead: never a server error, always a precise answer.

Every upload either is refused at once (4xx) or is accepted (2xx) and then, after its preview job, is either
previewed or marked unreadable with a message that starts with the file's name. An unreadable file never leaves a
Record behind, and the person's file name is never used as a path on disk.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import hypothesis
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from review.models import Record, SearchFile
from review.services import imports

WELL_FORMED_RIS = (
    "TY  - JOUR\n"
    "TI  - Fine-tuning a pretrained network on electrocardiograms\n"
    "AU  - Smith, J.\n"
    "PY  - 2021\n"
    "DO  - 10.1000/ecg.1\n"
    "ER  - \n"
    "\n"
    "TY  - JOUR\n"
    "TI  - Transfer learning for sleep staging\n"
    "AU  - Doe, A.\n"
    "PY  - 2020\n"
    "ER  - \n"
)


def _zip_of(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"3 0 obj\n<< /Length 44 /Filter /FlateDecode >>\nstream\n" + bytes(range(256)) + b"\nendstream\nendobj\n"
        b"xref\n0 4\n0000000000 65535 f \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"
    )


# name -> (file name, bytes). Sizes stay small enough for the suite, but large enough to be what they say.
MALFORMED: dict[str, tuple[str, bytes]] = {
    "empty": ("empty.ris", b""),
    "bom only": ("bom.ris", b"\xef\xbb\xbf"),
    "binary": ("export.ris", bytes(range(256)) * 64),
    "nul bytes": ("nul.txt", b"TY  - JOUR\x00\x00\nTI  - \x00title\nER  - \n"),
    "pdf": ("fulltext.pdf", _pdf()),
    "zip": ("export.zip", _zip_of("export.ris", WELL_FORMED_RIS)),
    # 20 MB of one byte compresses to ~20 kB: the app must not inflate it (or must survive doing so).
    "gzip bomb": ("export.ris.gz", gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)),
    "gzip of text": ("export.ris.gz", gzip.compress(WELL_FORMED_RIS.encode())),
    "utf-16 junk": ("unicode.txt", "\ufeff" + "".join(chr(c) for c in range(0x4E00, 0x5200)) + "\ud7ff\ue000"),
    "utf-16 odd length": ("odd.txt", b"\xff\xfeT\x00Y\x00 \x00 \x00-\x00 \x00J"),
    "huge single line": ("oneline.ris", b"TY  - JOUR\nTI  - " + b"transfer learning " * 350_000 + b"\nER  - \n"),
    "huge line, no tags": ("oneline.txt", b"x" * (6 * 1024 * 1024)),
    "truncated ris": ("cut.ris", WELL_FORMED_RIS.encode()[: len(WELL_FORMED_RIS) // 2 + 7]),
    "ris cut inside a utf-8 character": ("cut-utf8.ris", ("TY  - JOUR\nTI  - Caf\u00e9 \u2013 ").encode()[:-1]),
    "html page": (
        "export.ris",
        b"<!DOCTYPE html><html><head><title>Session expired</title></head>"
        b"<body><h1>Please sign in again</h1><script>alert(1)</script></body></html>",
    ),
    "xml that is not endnote": ("records.xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>"),
    "billion laughs": (
        "lol.xml",
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode() for n in range(1, 10)
        )
        + b"]><xml><records><record><titles><title>&lol9;</title></titles></record></records></xml>",
    ),
    "csv with only a header": ("export.csv", b"Title,Authors,Year,DOI\r\n"),
    "csv with ragged rows": ("export.csv", b'Title,Year\r\n"unterminated,2020\r\na,b,c,d,e\r\n'),
    "bibtex unbalanced": ("refs.bib", b"@article{key,\n title = {Transfer {learning,\n year = 2020\n"),
    "path traversal": ("../../../../etc/passwd", WELL_FORMED_RIS.encode()),
    "windows path traversal": ("..\\..\\windows\\system32\\drivers\\etc\\hosts.ris", WELL_FORMED_RIS.encode()),
    "encoded traversal": ("%2e%2e%2f%2e%2e%2fsecret.ris", b"\x00\x01garbage"),
    "absolute path": ("/var/lib/postgresql/data/pg_hba.conf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    "very long name": ("a" * 600 + ".ris", b"\xfe\xfe\xfe"),
    "name with control characters": ("ex\tport\r\n.ris", b"\x00\x00\x00\x00"),
}


@pytest.fixture
def as_lead_api(api_client, lead):
    api_client.force_authenticate(user=lead)
    return api_client


@pytest.fixture
def search(review, lead):
    review.dedup_automatic = False  # deduplication is tested elsewhere; here only the file's own fate matters
    review.save(update_fields=["dedup_automatic"])
    return imports.search_create(review=review, by=lead, database="PubMed")


def multipart(name: str, content: bytes, *, confirm: bool) -> tuple[bytes, str]:
    """The body a browser sends, built by hand: Django's own upload objects refuse some hostile names on the
    client side, and the point is to see what the server does with them."""
    boundary = "----malformed-upload-boundary-7d41"
    # Browsers percent-escape these three in a filename parameter; everything else is sent as UTF-8.
    quoted = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A").encode("utf-8", "surrogatepass")
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="file"; filename="' + quoted + b'"\r\n',
            b"Content-Type: application/octet-stream\r\n\r\n",
            content,
            f"\r\n--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="confirm"\r\n\r\n',
            b"true" if confirm else b"false",
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return body, f"multipart/form-data; boundary={boundary}"


def upload(client, review, search, name: str, data: bytes | str, *, confirm: bool, capture) -> object:
    content = data.encode("utf-16") if isinstance(data, str) else data
    body, content_type = multipart(name, content, confirm=confirm)
    with capture(execute=True):
        return client.post(
            f"/api/v1/reviews/{review.slug}/searches/{search.pk}/files/", data=body, content_type=content_type
        )


def assert_answered_precisely(response, review, media_root: Path) -> None:
    assert response.status_code < 500, response.content[:500]
    assert 200 <= response.status_code < 300 or 400 <= response.status_code < 500
    if response.status_code >= 400:
        return
    search_file = SearchFile.objects.get(pk=response.json()["id"], review=review)
    name = search_file.original_name
    assert name
    # The stored file is ours, under the media root, whatever the person called theirs.
    assert Path(search_file.file.path).resolve().is_relative_to(media_root.resolve())
    assert search_file.status in (
        SearchFile.Status.PREVIEWED,
        SearchFile.Status.IMPORTED,
        SearchFile.Status.UNREADABLE,
    ), (search_file.status, search_file.error)
    if search_file.status == SearchFile.Status.UNREADABLE:
        assert search_file.error.startswith(f"{name}: "), search_file.error
        assert len(search_file.error) > len(name) + 10  # says what was wrong, not only which file
        assert not Record.objects.filter(search_file=search_file).exists()
    elif search_file.status == SearchFile.Status.IMPORTED:
        assert Record.objects.filter(search_file=search_file).count() == search_file.record_count
    else:
        assert not Record.objects.filter(search_file=search_file).exists()  # nothing before the person confirms


@pytest.mark.parametrize("confirm", [False, True], ids=["preview", "preview-and-import"])
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_upload_is_answered_without_a_server_error(
    case, confirm, as_lead_api, review, search, settings, django_capture_on_commit_callbacks
):
    name, data = MALFORMED[case]
    response = upload(
        as_lead_api, review, search, name, data, confirm=confirm, capture=django_capture_on_commit_callbacks
    )
    assert_answered_precisely(response, review, Path(settings.MEDIA_ROOT))


def test_empty_upload_is_refused_with_a_message(as_lead_api, review, search, django_capture_on_commit_callbacks):
    response = upload(
        as_lead_api, review, search, "empty.ris", b"", confirm=False, capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 400
    assert "file" in response.json() or "empty" in response.content.decode().lower()
    assert not SearchFile.objects.filter(review=review).exists()


def test_traversal_name_is_kept_as_a_label_only(
    as_lead_api, review, search, settings, django_capture_on_commit_callbacks
):
    response = upload(
        as_lead_api, review, search, "../../../../etc/passwd", WELL_FORMED_RIS.encode(), confirm=True,
        capture=django_capture_on_commit_callbacks,
    )  # fmt: skip
    assert response.status_code == 202
    search_file = SearchFile.objects.get(pk=response.json()["id"])
    assert "/" not in search_file.original_name and ".." not in Path(search_file.file.name).parts
    assert search_file.status == SearchFile.Status.IMPORTED
    assert Record.objects.filter(search_file=search_file).count() == 2


def test_truncated_ris_keeps_the_complete_records_or_says_why(
    as_lead_api, review, search, django_capture_on_commit_callbacks
):
    cut = WELL_FORMED_RIS.encode()[: WELL_FORMED_RIS.index("ER  - \n\nTY") + 20]
    response = upload(
        as_lead_api, review, search, "cut.ris", cut, confirm=False, capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 202
    search_file = SearchFile.objects.get(pk=response.json()["id"])
    if search_file.status == SearchFile.Status.PREVIEWED:
        assert search_file.record_count >= 1
        assert search_file.preview[0]["title"].startswith("Fine-tuning")
    else:
        assert search_file.error.startswith("cut.ris: ")


# Bytes a browser could send: raw bytes, broken variants of the well-formed seed, and text in odd encodings.
hostile_bytes = st.one_of(
    st.binary(min_size=1, max_size=3000),
    st.builds(
        lambda cut, junk, at: (WELL_FORMED_RIS.encode()[:cut] + junk + WELL_FORMED_RIS.encode()[at:]) or b"x",
        st.integers(0, len(WELL_FORMED_RIS)),
        st.binary(max_size=40),
        st.integers(0, len(WELL_FORMED_RIS)),
    ),
    st.builds(
        lambda text, encoding: text.encode(encoding, errors="replace") or b"?",
        st.text(min_size=1, max_size=400),
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"]),
    ),
)
hostile_names = st.one_of(
    st.sampled_from(["export.ris", "x.nbib", "../up.csv", "a/b/c.xml", "..", ".ris", "refs.bib"]),
    st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=80),
)


@hypothesis.settings(
    derandomize=True,
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=hostile_bytes, name=hostile_names, confirm=st.booleans())
def test_generated_uploads_never_give_a_server_error(
    data, name, confirm, as_lead_api, review, search, settings, django_capture_on_commit_callbacks
):
    response = upload(
        as_lead_api, review, search, name, data, confirm=confirm, capture=django_capture_on_commit_callbacks
    )
    assert_answered_precisely(response, review, Path(settings.MEDIA_ROOT))
