"""Synthetic data·inclusion open data (schema v1) for demos and benchmarks: `python -m demo --help`.

Not a Django app: it reads the communes from the shared CSV file and its French vocabulary from the TOML
files of demo/vocabulary/, and writes structures.json and services.json.
"""
