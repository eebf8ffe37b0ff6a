"""Matching: ranking postings against a CV, alternatives, automatch, scores and explanations.

Imports nothing from :mod:`graph.accountability` (checked by import-linter in ``make lint``)."""
