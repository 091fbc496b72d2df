"""The team's week: hand-in check, assigning new leads, splitting the master back into
one workbook per rep."""
