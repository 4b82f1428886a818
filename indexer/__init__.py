"""Health articles in, fielded Whoosh index out: parse, extract, build."""
