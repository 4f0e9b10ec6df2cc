"""Edge layer: figures and reports (PNG plots now; HTML/PDF reports later).

May import services, clinical and pk; never the CLI, the API or the web package.
"""
