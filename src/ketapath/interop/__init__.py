"""Edge formats: files KetaPath reads and writes (regimen JSON, CSV; FHIR R4 later), and the
synthetic demo clinic, generated as records and loaded through the services.

Each format is parsed with pydantic into the pure records of `ketapath.pk`/`ketapath.clinical`,
and every problem becomes an `InputError` naming the field, the value and what is allowed.
May import services, clinical and pk; never the CLI, the API or the web package.
"""
