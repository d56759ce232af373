"""Neo4j Browser, made readable: deep links, a style, a guide.

What neo4j-browser 5.24.0 (the one Neo4j 5.26 serves at ``/browser/``) takes from where;
read in its bundle and checked in headless Chromium by ``tests/browser``:

=========================  ===============================================================
from a URL                 the server to connect to (``dbms=bolt://user@host:port``, user
                           pre-filled), the database (``db=``), the editor's text
                           (``cmd=edit&arg=``; not run). No password, no style.
                           See ``links.browse_url`` for the encoding rules.
from the server's config   ``browser.post_connect_cmd``: commands run after every connect.
                           The whole stylesheet fits there inline (``config.conf_lines``),
                           followed by ``clear``; the local server lineage-graph provisions
                           sets it, so its Browser draws lineage styled with no step at all.
needs a web server         guides (``:play <http url>``) and styles by URL (``:style <url>``):
                           fetched over http(s) from allow-listed hosts, with CORS. Neo4j
                           cannot serve extra files (``/browser`` comes from one jar), so
                           ``lineage-graph browse --serve`` runs ``serve.AssetServer`` on
                           ``http://localhost:7399`` (``localhost`` is on the default allowlist).
one step for the rest      any other server (Docker, Aura, a colleague's): open the link
                           ``lineage-graph browse --style`` prints and press Run; it carries
                           ``:style <the sheet>`` and the Browser keeps the style (local storage).
=========================  ===============================================================

Modules: ``links`` (URLs), ``views`` (the Cypher the Browser runs), ``select`` (which view
for a CLI reference: runs, targets, aliases, incidents), ``style`` (GraSS), ``guide`` (HTML
slides), ``serve`` (CORS asset server), ``config`` (neo4j.conf lines).

What the Browser cannot do, and what we do instead:

* no stylesheet without a frame: every ``:style`` command adds a frame headed by the command,
  i.e. the whole inline sheet. The post-connect commands are ``style ...; clear``: the style
  is applied and the stream cleared right after (only the connect frame and the start guide
  go with it; no query has run yet).
* no computed captions: GraSS interpolates node properties only, and wraps captions on spaces
  (a long single-word name is cut with an ellipsis). The sheet sizes font and circles so names
  of up to ~42 characters fit whole, deployment events are captioned by action and target,
  and the full name is in the properties panel. A short unique caption (and the open
  incident ids, for a ``TAINTED #3`` caption) would need a property the store writes with the
  node; until then a view draws the open incidents of its start as ``Incident <id>`` nodes.
* no layered layout: only force-directed, which makes a hairball of 30-40 nodes. Views stay
  small (one walk, the relationships they need, 300 nodes at most); for anything larger,
  ``lineage-graph report REF -o FILE.html`` (``lineage_graph.report``) draws the same lineage
  left to right in a self-contained page.
"""
