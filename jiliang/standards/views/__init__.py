"""The standards app's pages, one module per area (standards, traceability, coverage, declarations)."""
