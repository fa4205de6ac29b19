"""Client for the reference-data API, an attached resource (factor IV).

Where it lives and how to authenticate are configuration (``REFERENCE_DATA_API_URL`` and
``REFERENCE_DATA_API_TOKEN``), so pointing the service at a different provider, a staging copy
or a local fake is an environment change, never a code change.
"""

from __future__ import annotations

from typing import Any

import httpx


class ReferenceDataError(Exception):
    """The reference-data API could not answer the question."""


class ReferenceDataClient:
    """A small, typed wrapper around the API's JSON endpoints."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_seconds: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._client = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout_seconds,
            transport=transport,
        )

    def lookup(self, resource: str, **params: str) -> dict[str, Any]:
        """GET ``/<resource>`` with query ``params`` and return the decoded JSON object."""
        try:
            response = self._client.get(f"/{resource.lstrip('/')}", params=params)
            response.raise_for_status()
            payload = response.json()
        except httpx.HTTPStatusError as error:
            raise ReferenceDataError(
                f"reference-data API answered {error.response.status_code} for {resource}"
            ) from error
        except (httpx.HTTPError, ValueError) as error:
            raise ReferenceDataError(
                f"reference-data API request for {resource} failed: {error}"
            ) from error
        if not isinstance(payload, dict):
            raise ReferenceDataError(
                f"reference-data API returned {type(payload).__name__} for {resource}"
            )
        return payload

    def close(self) -> None:
        self._client.close()
