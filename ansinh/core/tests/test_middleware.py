from ansinh.core.context import current_request_id


def test_request_id_is_generated_and_returned(client):
    response = client.get("/accounts/login/")
    assert len(response["X-Request-ID"]) == 32


def test_well_formed_incoming_request_id_is_kept(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="abc-12345678")
    assert response["X-Request-ID"] == "abc-12345678"


def test_malformed_incoming_request_id_is_replaced(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"


def test_request_id_is_cleared_after_the_request(client):
    client.get("/accounts/login/")
    assert current_request_id() == ""


def test_security_headers(client):
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_signed_in_pages_are_not_cached(client, users):
    client.force_login(users.commune_officer)
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]


def test_browser_language_does_not_switch_to_english(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="vi"' in response.content.decode()


def test_language_cookie_switches_to_english(client):
    client.cookies["django_language"] = "en"
    response = client.get("/accounts/login/")
    assert 'lang="en"' in response.content.decode()
    assert response["Content-Language"] == "en"


def test_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies["django_language"] = "fr"
    response = client.get("/accounts/login/")
    assert 'lang="vi"' in response.content.decode()


# -- compressed responses (decision 0038) ----------------------------------------------------------


def _gunzip(response) -> bytes:
    import gzip

    body = b"".join(response.streaming_content) if response.streaming else response.content
    return gzip.decompress(body)


def test_pages_are_compressed_for_browsers_that_accept_gzip(client, users):
    client.force_login(users.commune_officer)
    plain = client.get("/households/")
    packed = client.get("/households/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain and plain.status_code == packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert int(packed["Content-Length"]) < len(plain.content) / 3
    page = _gunzip(packed).decode()
    assert "Hộ gia đình" in page and page.count("csrfmiddlewaretoken") == plain.content.decode().count(
        "csrfmiddlewaretoken"
    )


def test_the_gzip_header_varies_in_length_from_response_to_response(client):
    """Django's Heal-the-Breach padding: sizes alone do not tell what a page holds."""
    sizes = {len(client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip").content) for _ in range(12)}
    assert len(sizes) > 1


def test_a_csv_export_streams_compressed_and_an_xlsx_is_sent_as_it_is(client, users, units):
    from ansinh.registry.tests.factories import make_household

    make_household(units.tho_xuan, code="GZ1")
    client.force_login(users.commune_officer)
    csv = client.get("/households/export/?format=csv", HTTP_ACCEPT_ENCODING="gzip")
    assert csv.streaming and csv["Content-Encoding"] == "gzip"
    assert "GZ1" in _gunzip(csv).decode("utf-8-sig")
    xlsx = client.get("/households/export/?format=xlsx", HTTP_ACCEPT_ENCODING="gzip")
    assert xlsx.status_code == 200 and "Content-Encoding" not in xlsx
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"  # the zip of the workbook, untouched


def test_htmx_fragments_and_json_are_compressed_too(client, users):
    client.force_login(users.commune_officer)
    response = client.get("/api/v1/openapi.json", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert _gunzip(response).startswith(b"{")
