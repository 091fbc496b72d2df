"""leadbook: make, check, merge and report on sales-lead workbooks."""

__version__ = "0.1.0"
