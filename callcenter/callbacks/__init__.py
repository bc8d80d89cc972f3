"""Call-backs: the operator's phone rings first, then the fisher is bridged in (Twilio REST)."""
