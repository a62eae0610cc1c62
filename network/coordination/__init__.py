"""The secretariat's tools: applications, people and roles, areas and themes, the audit log."""
