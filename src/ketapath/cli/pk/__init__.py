"""`ketapath pk`: the pharmacokinetic engine on the command line (simulate, populations, TCI,
dose finding, the models, the schemas and the demo)."""

from ketapath.cli.pk.commands import app

__all__ = ["app"]
