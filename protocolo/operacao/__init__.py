"""
What keeps the portal running rather than what it does: error pages that survive a database outage
(falhas), the load balancer's health check (saude), logs without personal data (registro), sessions
that outlive a cache outage (sessoes), the client's address behind a proxy (rede) and rate limits
(limites).
"""
