"""Realistic sample workbooks with planted defects."""
