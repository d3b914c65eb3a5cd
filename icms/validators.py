"""Bounds on what can be true of an input, shared by forms, filters, the API and the models."""

# The largest value of a PostgreSQL bigint: ids (BigAutoField) and version numbers.
MAX_ID = 2**63 - 1
