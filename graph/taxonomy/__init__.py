"""The taxonomy lifecycle: what an ESCO upgrade changes and whom it affects."""
