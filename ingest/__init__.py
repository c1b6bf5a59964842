"""Ingest: load documents, parse the work plan into records, chunk, embed and index in Chroma."""
