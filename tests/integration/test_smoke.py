from fastapi.testclient import TestClient

from tests.conftest import login


def test_healthz_and_login_on_each_backend(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    login(client, "dr.rivera", "stride-clinician-demo")
    page = client.get("/patients")
    assert page.status_code == 200
    assert "13 patients" in page.text
