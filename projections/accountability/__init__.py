"""The accountability register (问责) view: `view` writes one row per measure and reads its pages."""
