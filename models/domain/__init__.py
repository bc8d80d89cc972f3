"""Value rules of the domain (vessel numbers, phones, citizen IDs, references, text).

They live beside the tables because every layer above needs them and imports point down.
"""
