"""Client of the data·inclusion API (``/api/v1/structures``, ``/api/v1/services``).

Pages are fetched one after the other with a bearer token; a transient failure (network,
429, 5xx) is retried with back-off, anything else aborts the import with a French message.
"""

import time
import urllib.error
import urllib.parse
import urllib.request

import orjson

PAGE_SIZE = 1000
RETRIES = 3


class ApiError(Exception):
    pass


def fetch_all(base_url: str, resource: str, *, token: str | None, sources: list[str] | None = None) -> list[dict]:
    records: list[dict] = []
    page = 1
    while True:
        params = [("page", page), ("size", PAGE_SIZE)] + [("sources", source) for source in sources or []]
        url = f"{base_url.rstrip('/')}/api/v1/{resource}?{urllib.parse.urlencode(params)}"
        payload = _get_json(url, token)
        if isinstance(payload, list):  # an unpaginated answer
            return records + payload
        items = payload.get("items")
        if not isinstance(items, list):
            raise ApiError(f"Réponse inattendue de l'API pour {resource} (page {page}) : pas de liste « items ».")
        records.extend(items)
        pages = payload.get("pages")
        if not items or (isinstance(pages, int) and page >= pages):
            return records
        page += 1


def _get_json(url: str, token: str | None):
    headers = {"Accept": "application/json", "User-Agent": "trouver-un-service-insertion"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers)
    for attempt in range(RETRIES + 1):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return orjson.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise ApiError(
                    "L'API data·inclusion refuse l'accès : vérifiez le jeton (DATA_INCLUSION_API_TOKEN)."
                ) from exc
            if exc.code != 429 and exc.code < 500 or attempt == RETRIES:
                raise ApiError(f"L'API data·inclusion a répondu {exc.code} pour {url}.") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            if attempt == RETRIES:
                raise ApiError(f"L'API data·inclusion est injoignable ({exc}).") from exc
        except orjson.JSONDecodeError as exc:
            raise ApiError(f"L'API data·inclusion a renvoyé un JSON invalide pour {url}.") from exc
        time.sleep(2**attempt)
    raise AssertionError("unreachable")
