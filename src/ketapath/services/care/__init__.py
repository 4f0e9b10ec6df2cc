"""The path of one patient: registration and history, screening, plans and their predictions,
sessions, discharge, follow-up and relief.
"""
