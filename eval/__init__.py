"""Evaluation: score xiezuo-qa and baseline pipelines on the dev question set."""
