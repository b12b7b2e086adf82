"""`cnntui serve`: the whole app in a browser, one app process per tab, for a class.

- `security`: tokens, signed session ids, loopback and same-origin checks (standard library).
- `sessions`: each session's folder and environment (standard library).
- `session`: the entry point each session's process runs (`python -m cnntui.serve.session`).
- `server`: the web server, built on textual-serve and aiohttp (the optional `serve` extra).
"""
