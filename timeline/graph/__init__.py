"""The RDF graph: the N-Quads writer, the month-range index, and importing RDF."""
