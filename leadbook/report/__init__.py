"""The review report: the view over the metrics, the HTML page, the Excel summary."""
