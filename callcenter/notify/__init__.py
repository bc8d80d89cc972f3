"""Messages to fishers: SMS through Twilio, sized to fit basic phones."""
