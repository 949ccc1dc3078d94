"""modelcatalog: a self-hostable model catalog in the Venice.ai /api/v1/models dialect."""

__all__ = ["__version__"]

__version__ = "0.1.0"
