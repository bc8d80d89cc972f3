"""The IVR: Twilio webhooks → flow engine → TwiML. Imports `models`, never `callcenter`."""
