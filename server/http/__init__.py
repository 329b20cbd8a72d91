"""HTTP adapters (FastAPI routers): thin routes over server/services.

    health.py     /healthz
    (more routers are listed in server/wiring.py:http_routers)
"""
