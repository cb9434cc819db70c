class RecordIdConverter:
    """Upstream ids may contain '/', spaces, accents, '?', '#', '%': anything but nothing.

    Clients percent-encode them; the server decodes the path before routing, so the id
    arrives as is. Routes put a fixed suffix after the id ("/", "/signaler/").
    """

    regex = ".+"

    def to_python(self, value: str) -> str:
        # PostgreSQL text cannot hold NUL: no record has it, so the URL matches nothing (404)
        # rather than failing in the query (500).
        if "\x00" in value:
            raise ValueError("NUL in a record id")
        return value

    def to_url(self, value: str) -> str:
        return value
