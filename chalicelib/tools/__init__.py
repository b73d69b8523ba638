"""Console tools (local server, admin commands). Never imported by a route."""
