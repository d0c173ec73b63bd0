"""The web shell over a real database: headers, CSRF, error pages, API errors naming the field."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import csrf_of, login

PATIENT = {
    "given_name": "Nia",
    "family_name": "Quarrie",
    "date_of_birth": "1984-02-29",
    "sex": "female",
    "mrn": "Q-77",
    "height_cm": 170,
    "weight_kg": 70,
    "resting_hr": 64,
}


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/login", "/healthz", "/api/v1/me", "/nowhere"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"
        assert len(headers["x-request-id"]) == 32


def test_session_cookie_is_httponly_and_samesite(client: TestClient) -> None:
    page = client.get("/login")
    token = page.text.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"username": "admin", "password": "demo-clinic-manager", "login_csrf": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "stride_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie.replace("Lax", "lax")


def test_login_without_its_csrf_token_is_refused(client: TestClient) -> None:
    response = client.post(
        "/login", data={"username": "admin", "password": "demo-clinic-manager"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_wrong_password_shows_the_form_again_with_401(client: TestClient) -> None:
    page = client.get("/login")
    token = page.text.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"username": "admin", "password": "nope", "login_csrf": token})
    assert response.status_code == 401
    assert "wrong username or password" in response.text


def test_login_redirects_only_to_same_site_paths(client: TestClient) -> None:
    for target, expected in (
        ("/teams", "/teams"),
        ("//evil.example/x", "/admin/users"),
        ("https://evil.example", "/admin/users"),
    ):
        client.cookies.clear()
        page = client.get("/login")
        token = page.text.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            "/login",
            data={
                "username": "admin",
                "password": "demo-clinic-manager",
                "login_csrf": token,
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == expected


def test_anonymous_page_redirects_to_login_with_next(client: TestClient) -> None:
    response = client.get("/patients?q=ada", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/patients%3Fq%3Dada"


def test_form_post_without_csrf_changes_nothing(client: TestClient) -> None:
    login(client, "dr.rivera", "demo-clinic-clinician")
    response = client.post("/patients/new", data={**{k: str(v) for k, v in PATIENT.items()}, "team_id": "1"})
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert "0 patients" in client.get("/patients?q=quarrie").text


def test_clinician_registers_a_patient_through_the_form(client: TestClient) -> None:
    login(client, "dr.rivera", "demo-clinic-clinician")
    data = {**{k: str(v) for k, v in PATIENT.items()}, "team_id": "1", "csrf_token": csrf_of(client)}
    response = client.post("/patients/new", data=data, follow_redirects=False)
    assert response.status_code == 303
    record = client.get(response.headers["location"])
    assert "Nia Quarrie" in record.text
    assert "1 patient matching" in client.get("/patients/rows?q=quarrie").text


def test_form_error_names_the_field_and_keeps_the_values(client: TestClient) -> None:
    login(client, "dr.rivera", "demo-clinic-clinician")
    data = {
        **{k: str(v) for k, v in PATIENT.items()},
        "height_cm": "1.75",
        "team_id": "1",
        "csrf_token": csrf_of(client),
    }
    response = client.post("/patients/new", data=data)
    assert response.status_code == 422
    assert "Height (cm)" in response.text
    assert 'value="Quarrie"' in response.text


def test_patient_gets_the_not_found_page_for_another_record(client: TestClient) -> None:
    login(client, "patient1", "demo-clinic-patient")
    me = client.get("/api/v1/me").json()
    own = me["patient_id"]
    assert client.get(f"/patients/{own}").status_code == 200
    other = client.get(f"/patients/{own + 1}")
    assert other.status_code == 404
    assert 'id="not-found"' in other.text


def test_unknown_page_is_the_friendly_404(client: TestClient) -> None:
    login(client, "admin", "demo-clinic-manager")
    for path in ("/no/such/page", "/patients/999999"):
        response = client.get(path)
        assert response.status_code == 404
        assert 'id="not-found"' in response.text


def test_api_errors_are_json_and_name_the_field(client: TestClient) -> None:
    login(client, "dr.rivera", "demo-clinic-clinician")
    headers = {"X-CSRF-Token": csrf_of(client)}
    bad = client.post("/api/v1/patients", json={**PATIENT, "resting_hr": 400, "team_id": 1}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["field"] == "resting_hr"
    malformed = client.post(
        "/api/v1/patients", json={**PATIENT, "date_of_birth": "yesterday"}, headers=headers
    )
    assert malformed.status_code == 422
    assert malformed.json()["field"] == "date_of_birth"
    ok = client.post("/api/v1/patients", json={**PATIENT, "team_id": 1}, headers=headers)
    assert ok.status_code == 201
    dup = client.post("/api/v1/patients", json={**PATIENT, "team_id": 1}, headers=headers)
    assert dup.status_code == 409
    assert dup.json()["field"] == "mrn"


def test_api_without_credentials_is_401_json(client: TestClient) -> None:
    response = client.get("/api/v1/patients")
    assert response.status_code == 401
    assert response.json()["error"] == "authentication_required"
    assert client.get("/api/v1/patients", headers={"Authorization": "Bearer stride_nope"}).status_code == 401


def test_openapi_is_published(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/patients/{patient_id}" in spec["paths"]


def test_password_change_page(client: TestClient) -> None:
    login(client, "dr.okafor", "demo-clinic-clinician")
    token = csrf_of(client)
    mismatch = client.post(
        "/account/password",
        data={
            "current_password": "demo-clinic-clinician",
            "new_password": "new pass phrase",
            "confirm_password": "x",
            "csrf_token": token,
        },
    )
    assert mismatch.status_code == 422
    ok = client.post(
        "/account/password",
        data={
            "current_password": "demo-clinic-clinician",
            "new_password": "new pass phrase",
            "confirm_password": "new pass phrase",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 200
    assert "Your password was changed" in ok.text


def test_admin_pages_render(client: TestClient) -> None:
    login(client, "admin", "demo-clinic-manager")
    assert "dr.rivera" in client.get("/admin/users").text
    audit = client.get("/admin/audit?action=patient.")
    assert audit.status_code == 200
    assert "patient.create" in audit.text
    verdict = client.post("/admin/audit/verify", headers={"X-CSRF-Token": csrf_of(client)})
    assert "Chain intact" in verdict.text
    assert "Mood Disorders Team" in client.get("/teams").text
    assert client.get("/admin/audit?since=not-a-date").status_code == 422


def test_expired_session_during_live_search_redirects_the_page_not_the_fragment(client: TestClient) -> None:
    response = client.get(
        "/patients/rows?q=ada",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/patients?q=ada"},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/patients%3Fq%3Dada"
    assert response.text == ""
