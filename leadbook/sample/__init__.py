"""Realistic sample workbooks with planted defects.

The entry is :mod:`leadbook.sample.make` (``generate``, ``make_sample``, ``manifest_json``).
Its parts, each importing only the ones before it: ``words`` (the vocabulary), ``weighted``
(weighted choices), ``records`` (the lead being made and the results), ``companies``,
``contacts`` (reps, colleagues, phones, IM), ``timing``, ``profiles`` (how reps differ, each
book's plan), ``followup`` (the log), ``leads`` (register rows, 撞单 pairs), ``defects``
(planting), ``build`` (the whole sample).
"""
