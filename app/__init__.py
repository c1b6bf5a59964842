"""App: answers (router, lookups, extractive retrieval), the `ask` CLI and the Gradio chat page."""
