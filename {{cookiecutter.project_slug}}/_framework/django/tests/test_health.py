from django.test import Client


def test_liveness_answers_without_touching_dependencies(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_root_names_the_service(client: Client) -> None:
    assert client.get("/").json() == {"service": "{{ cookiecutter.project_slug }}"}


def test_probes_answer_whatever_the_host_header() -> None:
    # Orchestrators probe by pod or container IP, which is not in ALLOWED_HOSTS.
    response = Client(HTTP_HOST="10.1.2.3:8000").get("/healthz")

    assert response.status_code == 200
