"""Who may do what: signing in, the login throttle, user accounts, the database's set-up
and the audit trail's verification.
"""
