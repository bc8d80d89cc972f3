"""Operators answering the phone: presence, the softphone token, the caller's card, wrap-up."""
