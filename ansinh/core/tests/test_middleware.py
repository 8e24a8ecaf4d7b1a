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
