"""timeline: news coverage into an event-centric knowledge graph with provenance."""

__version__ = "0.1.0"
