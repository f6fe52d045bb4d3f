"""openaudit: license and openness auditor for AI models."""

__version__ = "0.1.0"

__all__ = ["__version__"]
