"""The internal columns of the version frames a merge works on: provenance (source file,
position, rep, source lead ID, findings), the lead ID a log entry links by, identity and
linking keys. Catalog fields keep their keys; a time field's unreadable text sits beside it
under ``key + TXT``."""

from __future__ import annotations

# Internal columns of the version frames (provenance, identity, keys).
SRC, POS, REP, SID, LINK, FINDINGS = "_src", "_pos", "_rep", "_sid", "_link", "_findings"
CO, ANON, PHONE, IM, VID = "_co", "_anon", "_phone", "_im", "_vid"
TXT = "__txt"  # suffix: a time field's text when it is not a readable date-time
IDENTITY = [SID, CO, ANON]
