"""Typed domain objects: method, assessment, scenario, estimate, cascade, measure."""
