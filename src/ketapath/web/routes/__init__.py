"""The pages, one module per area; each exposes ``routes``, a tuple of Starlette routes.

Pages are plain Starlette routes rather than FastAPI operations: they are not part of the
OpenAPI document, and who may use them is decided by the services they call.
"""

from ketapath.web.routes import home, sign_in

ROUTES = (*sign_in.routes, *home.routes)

__all__ = ["ROUTES"]
