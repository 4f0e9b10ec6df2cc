"""Layer 4: use cases. One function per thing a user does; each loads records, calls the rules
and the engine, and writes its result. The API, the web pages and the CLI call these.

May import: `ketapath.store`, `ketapath.clinical`, `ketapath.pk`. Never an edge package.
"""
