"""Drafting records from an article for a person to review: temporal expressions first."""
