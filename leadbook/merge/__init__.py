"""Merging reps' workbooks into one master: versions, conflicts, renumbering, 撞单, hand-off."""
