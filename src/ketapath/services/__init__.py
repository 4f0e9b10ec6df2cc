"""Layer 4: use cases. One function per thing a user does; each loads records, calls the rules
and the engine, and writes its result. The API, the web pages and the CLI call these.

Three packages by concept: `access` (signing in, users, set-up), `care` (the path of one
patient) and `clinic` (the clinic as a whole); `context` is what every use case receives.

May import: `ketapath.store`, `ketapath.clinical`, `ketapath.pk`. Never an edge package.
"""
