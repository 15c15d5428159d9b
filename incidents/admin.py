"""Incident reports are deliberately not in the Django admin.

Only CERT analysts and the reporting organisation may know an incident exists, and every view must
be logged (IncidentAccessLog). The admin is open to other NHN staff and does not log views, so
incidents, their messages, attachments and access log are read in the portal only.
"""
