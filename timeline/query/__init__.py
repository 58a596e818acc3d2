"""SPARQL: the lexer and parameter binding, result formats, saved queries."""
