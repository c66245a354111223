"""Serving with gunicorn, configured in code so ``paperfeed serve`` needs no config file."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _App(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from paperfeed.wsgi import application

        return application


def run_server(host: str, port: int, *, workers: int = 2) -> None:
    print(f"paperfeed: serving on http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    _App(
        {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": max(1, workers),
            "threads": 4,
            "worker_class": "gthread",
            "timeout": 60,
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "warning",
        }
    ).run()
