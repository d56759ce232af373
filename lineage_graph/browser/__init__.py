"""Neo4j Browser, made readable: deep links, a style, a guide.

What neo4j-browser 5.24.0 (the one Neo4j 5.26 serves at ``/browser/``) takes from where;
read in its bundle and checked in headless Chromium by ``tests/browser``:

=========================  ===============================================================
from a URL                 the server to connect to (``dbms=bolt://user@host:port``, user
                           pre-filled), the database (``db=``), the editor's text
                           (``cmd=edit&arg=``; not run). No password, no style.
                           See ``links.browse_url`` for the encoding rules.
from the server's config   ``browser.post_connect_cmd``: commands run after every connect.
                           The whole stylesheet fits there inline (``config.conf_lines``);
                           the local server lineage-graph provisions sets it, so its Browser
                           draws lineage styled with no step at all.
needs a web server         guides (``:play <http url>``) and styles by URL (``:style <url>``):
                           fetched over http(s) from allow-listed hosts, with CORS. Neo4j
                           cannot serve extra files (``/browser`` comes from one jar), so
                           ``lineage-graph browse --serve`` runs ``serve.AssetServer`` on
                           ``http://localhost:7399`` (``localhost`` is on the default allowlist).
one step for the rest      any other server (Docker, Aura, a colleague's): open the link
                           ``lineage-graph browse --style`` prints and press Run; it carries
                           ``:style <the sheet>`` and the Browser keeps the style (local storage).
=========================  ===============================================================

Modules: ``links`` (URLs), ``views`` (the Cypher the Browser runs), ``style`` (GraSS),
``guide`` (HTML slides), ``serve`` (CORS asset server), ``config`` (neo4j.conf lines).
"""
