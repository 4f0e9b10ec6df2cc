"""Rules of the supervised session.

Monitoring alarms and stop rules, observation cadence, and discharge readiness
(MON-*, STAFF-*, DIS-*).
"""
