"""The clinic's web pages: server-rendered HTML (Jinja2), HTMX for partial updates, charts.

An edge (layer 5), a sibling of `ketapath.api` and `ketapath.cli`: it may import
`ketapath.services`, `ketapath.interop`, `ketapath.clinical`, `ketapath.pk`, `ketapath.config`
and `ketapath.errors`; never `ketapath.store`, `ketapath.api` or `ketapath.cli`. A page parses
its form, calls one service and renders a template; templates only format. `mount` adds the
pages to the application `ketapath.api.app.create_app` builds, which hands over its cookie
session functions (`SessionKit`), so that neither edge imports the other.
"""

from ketapath.web.site import mount

__all__ = ["mount"]
