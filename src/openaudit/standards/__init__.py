"""Openness standards: OSAID 1.0, the Model Openness Framework class, the openness grade."""
