"""The web process's infrastructure, beside the factory (app.py): what wraps or serves
every blueprint (the database per request, extensions, the admission gate, proxies)."""
