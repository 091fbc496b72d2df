"""Opening and reading workbooks: finding inputs, checks before opening, the register and log as frames, normalising."""
