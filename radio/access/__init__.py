"""Who may do what: roles and permissions, the commune a user may see (tenancy), passwords,
sessions, CSRF and tokens, and the FastAPI dependencies that apply them. The only place a
permission is decided."""
