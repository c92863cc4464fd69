"""
Gunicorn in production: `gunicorn protocolo.wsgi` from the repository root reads this file.

Everything can be overridden from the environment (or the command line) without editing it.
"""

import os

# Behind a reverse proxy on the same host by default. GUNICORN_BIND (e.g. 0.0.0.0:8000) when the load
# balancer reaches the app over the network; PORT alone, as container platforms set it, listens on
# every interface.
if os.environ.get("GUNICORN_BIND"):
    bind = os.environ["GUNICORN_BIND"].split(",")
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{os.environ['PORT']}"]
else:
    bind = ["127.0.0.1:8000"]

# Sync workers: the views are short database transactions; two cores per machine.
workers = int(os.environ.get("GUNICORN_WORKERS", os.environ.get("WEB_CONCURRENCY", "2")))
worker_class = "sync"
# Longer than the slowest legitimate request (an admin CSV export), short enough to recycle a stuck
# worker; the load balancer's own timeout should be a little longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows unbounded; jitter avoids all at once.
max_requests = 2000
max_requests_jitter = 200
# The application is imported once, in the master (protocolo/wsgi.py also imports every view): a
# worker forked from it starts warm and shares those pages. Without it each recycled worker imported
# everything again, seconds of CPU taken from the requests every few thousand of them. A code
# change then needs a restart of the master (systemctl restart), not a HUP.
preload_app = True

# No control socket: signals (systemd, kill -HUP) manage the master, and two instances on one host
# would share the default $HOME/.gunicorn/gunicorn.ctl.
control_socket_disable = True

# Trust X-Forwarded-* only from the proxy on this host, never from anyone who can reach the port.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log without the query string (%(U)s, not %(r)s) nor the referrer: the back-office search
# carries CPFs and e-mail addresses in GET parameters.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
_nivel = loglevel.upper()

# Gunicorn's own loggers go through the same masking filter as the application's (protocolo.operacao.registro).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"dados_pessoais": {"()": "protocolo.operacao.registro.MascararDadosPessoais"}},
    "formatters": {
        # The same line as settings.LOGGING, so both read alike wherever they are shipped.
        "registro": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s", "datefmt": "%Y-%m-%dT%H:%M:%S%z"},
        "acesso": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "registro",
            "filters": ["dados_pessoais"],
            "stream": "ext://sys.stderr",
        },
        "acesso": {
            "class": "logging.StreamHandler",
            "formatter": "acesso",
            "filters": ["dados_pessoais"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": _nivel, "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": _nivel, "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["acesso"], "propagate": False},
    },
}
