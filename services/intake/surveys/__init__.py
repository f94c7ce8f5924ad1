"""intake's survey store: waves of anonymous responses, imported from CSV or XLSX.

Rows and their free text stay here; the log carries only counts per cell (events/surveys.py).
"""
