"""Edge layer: the `ketapath` command line (Typer + Rich).

Each command parses its input, calls one service or pure computation and renders the result.
Errors from `ketapath.errors` become one line on stderr and exit code 2. May import services,
interop, clinical and pk; never the store, the API or the web package.
"""
