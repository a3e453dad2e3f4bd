"""Models of this app (see the issue that builds it)."""
