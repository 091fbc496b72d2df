"""Writing the lead workbook from the catalog: sheets, lists, dropdowns, formulas, colours."""
