"""What pages and analyses read from a built graph: view models, networks, profiles."""
