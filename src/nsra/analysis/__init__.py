"""Analyses over the engine: coherence (more in later issues)."""
