"""Foundations every stage uses: the field catalog, team config, reference data, errors, paths, atomic writes, masking, encryption, lead IDs, workbook texts."""
