from fastapi.testclient import TestClient


def test_readiness_has_no_dependencies_to_check(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {}}
