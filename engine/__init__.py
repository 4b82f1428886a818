"""The search engine, Flask-free: parse -> understand -> retrieve (lexical, semantic) -> fuse and rank -> present."""
