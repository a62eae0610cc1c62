"""What several features share: database types, permissions, htmx rendering, markdown, time."""
