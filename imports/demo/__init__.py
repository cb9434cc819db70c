"""Synthetic data·inclusion open data (schema v1) for demos and benchmarks.

`generator.DemoDataGenerator` writes structures.json and services.json from the Commune table;
the other modules hold the French vocabulary and the realism rules it draws from.
"""
