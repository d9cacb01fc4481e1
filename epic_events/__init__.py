"""Epic Events CRM: the internal, secure CRM of Epic Events."""

__version__ = "0.1.0"
