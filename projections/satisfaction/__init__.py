"""The satisfaction view: `view` writes one row per return visit; `rates` reads counts and rates."""
