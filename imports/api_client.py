"""Client of the data·inclusion API (``/api/v1/structures``, ``/api/v1/services``).

Pages are fetched one after the other with a bearer token. The API answers
``{"items": [...], "total": N, "page": P, "size": S, "pages": K}`` (``size``: items on this
page) and accepts at most 10,000 items a page. A transient failure (network, timeout, 429,
5xx) is retried with back-off; anything else aborts the import with a French message.
"""

import time
import urllib.error
import urllib.parse
import urllib.request

import orjson

PAGE_SIZE = 10_000  # the API's maximum
RETRIES = 3
BACKOFF_SECONDS = 2.0  # waits 2, 4, 8 s between tries
TIMEOUT_SECONDS = 60
API_PATH = "/api/v1"
TOKEN_VARIABLE = "DATA_INCLUSION_API_TOKEN"


class ApiError(Exception):
    pass


def api_root(base_url: str) -> str:
    """The API root whether the URL given ends with ``/api/v1`` (DORA's convention) or not."""
    root = base_url.strip().rstrip("/")
    return root.removesuffix(API_PATH)


def fetch_all(base_url: str, resource: str, *, token: str | None, sources: list[str] | None = None) -> list[dict]:
    records: list[dict] = []
    page = 1
    while True:
        params = [("page", page), ("size", PAGE_SIZE)] + [("sources", source) for source in sources or []]
        url = f"{api_root(base_url)}{API_PATH}/{resource}?{urllib.parse.urlencode(params)}"
        payload = _get_json(url, token)
        if isinstance(payload, list):  # an unpaginated answer
            return records + payload
        items = payload.get("items") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            raise ApiError(f"Réponse inattendue de l'API pour {resource} (page {page}) : pas de liste « items ».")
        records.extend(items)
        pages = payload.get("pages")
        if not items or not isinstance(pages, int) or page >= pages:
            return records
        page += 1


def _get_json(url: str, token: str | None):
    headers = {"Accept": "application/json", "User-Agent": "trouver-un-service-insertion"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers)
    for attempt in range(RETRIES + 1):
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return orjson.loads(response.read())
        except urllib.error.HTTPError as exc:
            transient = exc.code == 429 or exc.code >= 500
            if not transient or attempt == RETRIES:
                raise ApiError(_refusal(exc, url, attempt)) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            if attempt == RETRIES:
                reason = getattr(exc, "reason", exc)
                raise ApiError(
                    f"L'API data·inclusion est injoignable ou ne répond pas ({reason}), {RETRIES + 1} essais."
                ) from exc
        except orjson.JSONDecodeError as exc:
            raise ApiError(f"L'API data·inclusion a renvoyé un JSON invalide pour {url}.") from exc
        time.sleep(BACKOFF_SECONDS * 2**attempt)
    raise AssertionError("unreachable")


def _refusal(error: urllib.error.HTTPError, url: str, attempt: int) -> str:
    if error.code == 401:
        return f"L'API data·inclusion refuse le jeton (401) : absent, invalide ou expiré. Vérifiez {TOKEN_VARIABLE}."
    if error.code == 403:
        return (
            "L'API data·inclusion refuse l'accès (403) : ce jeton n'est pas autorisé pour cette ressource ou ces "
            f"sources. Vérifiez {TOKEN_VARIABLE} ou demandez l'accès à data·inclusion."
        )
    if error.code == 422:
        return f"L'API data·inclusion refuse la requête (422) : {_details(error)} ({url})."
    tries = f" après {attempt + 1} essais" if attempt else ""
    return f"L'API data·inclusion a répondu {error.code}{tries} pour {url}."


def _details(error: urllib.error.HTTPError) -> str:
    """The parameters FastAPI's validation refused, as ``loc : msg``."""
    try:
        detail = orjson.loads(error.read()).get("detail")
    except (orjson.JSONDecodeError, AttributeError, OSError):
        detail = None
    if isinstance(detail, list):
        parts = [
            f"{'.'.join(str(part) for part in item.get('loc', []))} : {item.get('msg', '')}"
            for item in detail
            if isinstance(item, dict)
        ]
        if parts:
            return " ; ".join(parts)
    return str(detail) if detail else "paramètres invalides"
