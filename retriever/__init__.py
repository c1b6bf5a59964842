"""Retriever: question understanding, exact record lookups and hybrid (BM25 + dense) retrieval."""
