"""Deep links into Neo4j Browser: connected to our server, a query ready to run.

A link looks like ``http://127.0.0.1:7474/browser/?dbms=bolt://neo4j@127.0.0.1:7687
&cmd=edit&arg=<cypher>``. What neo4j-browser 5.24.0 does with it (read in its bundle and
checked in headless Chromium by ``tests/browser``):

* ``dbms`` forces the connection URL; its user part pre-fills the user name. ``db`` picks
  the database. There is no password parameter: the user types it once (the Browser keeps
  it for the session).
* ``cmd=edit&arg=...`` fills the editor without running it. ``cmd=play``/``cmd=guide`` run at
  start-up but also switch off ``browser.post_connect_cmd`` for that profile, so we use
  ``edit`` throughout (``:play <url>`` travels as an ``edit`` too).
* The Browser turns ``+`` into spaces, decodes the WHOLE URL once, then reads ``arg=`` up to
  the next ``&`` or ``#`` and never decodes it again. So the query is percent-encoded once
  (``+`` as ``%2B``), and a query containing ``&`` or ``#`` cannot be carried at all: double
  encoding (``%2526``) shows up literally as ``%26`` in the editor. ``browse_url`` refuses
  such queries; our queries and styles avoid both characters (Cypher string literals can
  spell them ``\\u0026`` and ``\\u0023``).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from ..errors import InvalidInputError

UNCARRIABLE = ("&", "#")


def browser_base(browser_url: str) -> str:
    """``scheme://host:port/browser/`` from a Browser URL (query and fragment dropped).

    Raises:
        InvalidInputError: not an http(s) URL.
    """
    parts = urlsplit(browser_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError(
            f"browser URL {browser_url!r} is not an http(s) URL such as "
            "http://127.0.0.1:7474/browser/",
            field="browser_url",
            value=browser_url,
        )
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    if path == "/":
        path = "/browser/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def default_browser_url(bolt_uri: str, http_port: int = 7474) -> str:
    """The Browser of a server known only by its Bolt URI: same host, the default HTTP port."""
    host = urlsplit(bolt_uri).hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{http_port}/browser/"


def connect_url(bolt_uri: str, user: str | None) -> str:
    """The ``dbms`` value: the Bolt URI with the user name in it (pre-fills the form)."""
    parts = urlsplit(bolt_uri)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if user:
        netloc = f"{quote(user, safe='')}@{netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def browse_url(
    browser_url: str,
    bolt_uri: str,
    query: str | None = None,
    *,
    user: str | None = "neo4j",
    database: str | None = None,
) -> str:
    """A Browser link that connects to ``bolt_uri`` with ``query`` in the editor.

    Args:
        browser_url: the Browser's address (``http://host:7474/browser/``; a query string
            on it is ignored).
        bolt_uri: the server's Bolt URI (``bolt://`` or ``neo4j://``).
        query: Cypher or a Browser command (``:play ...``, ``:style ...``); None: no editor text.
        user: pre-filled user name.
        database: database to use (``db=``), default the server's default.

    Returns:
        The URL.

    Raises:
        InvalidInputError: the query contains ``&`` or ``#``, which the Browser cannot read
            from a URL; or ``browser_url`` is not http(s).
    """
    base = browser_base(browser_url)
    params = [("dbms", quote(connect_url(bolt_uri, user), safe=""))]
    if database:
        params.append(("db", quote(database, safe="")))
    if query is not None:
        bad = [c for c in UNCARRIABLE if c in query]
        if bad:
            raise InvalidInputError(
                f"a Browser link cannot carry {' or '.join(repr(c) for c in bad)} in the query "
                "(the Browser cuts arg= there); spell it \\u0026 / \\u0023 in string literals",
                field="query",
                value=query,
            )
        params.append(("cmd", "edit"))
        params.append(("arg", quote(query, safe="")))
    return base + "?" + "&".join(f"{k}={v}" for k, v in params)
