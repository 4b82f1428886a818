"""Fetches a site's health library into a folder the indexer reads; knows HTTP, never Whoosh or Flask."""
