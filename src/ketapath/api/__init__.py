"""Layer 5 edge: the REST API (FastAPI), built by `ketapath.api.app.create_app`.

A route handler parses input (`ketapath.api.schemas`), calls one use case of `ketapath.services`
and shapes the output; `ketapath.api.problems` turns KetaPath errors into problem+json.

May import: `ketapath.services`, `ketapath.interop`, `ketapath.clinical`, `ketapath.pk`,
`ketapath.config`, `ketapath.errors`. Never `ketapath.store`, `ketapath.web` or `ketapath.cli`.
"""
