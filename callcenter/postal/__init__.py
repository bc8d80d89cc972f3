"""Postal return of results (Quyết định 45/2016/QĐ-TTg): tracking numbers and their checks."""
