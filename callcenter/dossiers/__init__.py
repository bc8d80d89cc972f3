"""Dossiers as the console and the API see them."""
