"""The RDF graph: the N-Quads writer and the rdflib vocabulary."""
