"""bundle-tools: patch, validate and catalog Operator Lifecycle Manager (OLM) bundles."""

__version__ = "0.1.0"
