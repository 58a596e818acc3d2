"""Interactive HTML pages: the timeline and the graph, their assets and embedding."""
