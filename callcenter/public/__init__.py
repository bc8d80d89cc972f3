"""The smartphone channel's JSON (contract section 9, `/api/v1/public/…`): no staff
login; a citizen proves a phone with a one-time SMS code and then sees and files that
phone's own dossiers only. The mobile site (`callcenter.mobile`) stands on the same
services."""
