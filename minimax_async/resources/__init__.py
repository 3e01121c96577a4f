"""One module per API group: validate, build the body, one request (see docs/architecture.md)."""
