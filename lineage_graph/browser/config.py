"""Server settings (neo4j.conf lines) that make Neo4j Browser show the metadata graph well.

What the Browser takes from the server (``CALL dbms.clientConfig()``, declared in Community):

* ``browser.remote_content_hostname_whitelist``: hosts ``:play``/``:style`` may fetch from
  (port ignored). The default ``guides.neo4j.com,localhost`` already admits our asset server
  at ``http://localhost:<port>``; ``127.0.0.1`` is added for links that use the address.
* ``browser.post_connect_cmd``: commands run once after each connect (``;``-separated, no
  leading colon). We put the whole stylesheet there INLINE (``grass.post_connect_style``),
  so every Browser that connects to this server draws lineage graphs styled, with no asset
  server running, then ``clear`` (``grass.post_connect_commands``): the ``:style`` frame
  would otherwise show the whole sheet above the results at every login. It is skipped in
  a profile that once opened a ``cmd=play`` link (the Browser then stores
  ``playImplicitInitCommands=false``); our links use ``cmd=edit``.

The guide cannot be configured this way: a ``play <url>`` in post_connect_cmd would fail on
every connect while the asset server is down, so ``lineage-graph browse --serve`` prints it.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..grass import post_connect_line
from ..models import Kind

REMOTE_CONTENT_HOSTS = ("guides.neo4j.com", "localhost", "127.0.0.1")

__all__ = ["REMOTE_CONTENT_HOSTS", "conf_lines", "post_connect_line"]


def conf_lines(type_labels: Mapping[str, Kind] | None = None) -> list[str]:
    """``neo4j.conf`` lines for the Browser settings above (one setting per line).

    Args:
        type_labels: extra ``{label: kind}`` to style (the well-known MLMD/TFX types always are).
    """
    return [
        "browser.remote_content_hostname_whitelist=" + ",".join(REMOTE_CONTENT_HOSTS),
        post_connect_line(type_labels),
    ]
