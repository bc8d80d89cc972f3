"""Who is calling the API: access tokens, the current user, role checks, logins and their limits."""
