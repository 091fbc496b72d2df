"""Checking: the column schema, the row rules, finding codes, findings as values, rendering, annotated copies."""
