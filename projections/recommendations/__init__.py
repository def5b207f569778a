"""The recommendations view (第四十条): `view` writes one row per recommendation and reads them."""
