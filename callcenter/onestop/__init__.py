"""The link to the province's one-stop system (VNPT-iGate): wire format, client, emulator.

See docs/onestop.md. Callers use `callcenter.onestop.client` (the `OneStopClient`
protocol and its errors) and `callcenter.onestop.application.build_application`.
"""
