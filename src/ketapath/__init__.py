"""KetaPath: decision support for ketamine therapy in pain clinics."""

__version__ = "0.1.0"
