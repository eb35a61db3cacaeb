"""A real Prometheus scraping the replicas' /metrics and Envoy's own statistics (docs/observability.md)."""
from pathlib import Path

from .processes import Process, start


def start_prometheus(port: int, replicas: list[int], envoy_admin: int, directory: Path, interval: str = "5s",
                     logs: Path | None = None) -> Process:
    """Prometheus on 127.0.0.1:`port`, its configuration and data in `directory`, once it is ready."""
    directory.mkdir(parents=True, exist_ok=True)
    targets = ", ".join(f'"127.0.0.1:{replica}"' for replica in replicas)
    config = directory / "prometheus.yml"
    config.write_text(f"""global: {{scrape_interval: {interval}, evaluation_interval: {interval}}}
scrape_configs:
  - job_name: cruddur
    static_configs: [{{targets: [{targets}]}}]
  - job_name: envoy
    metrics_path: /stats/prometheus
    static_configs: [{{targets: ["127.0.0.1:{envoy_admin}"]}}]
""")
    return start("prometheus", ["prometheus", f"--config.file={config}",
                                f"--storage.tsdb.path={directory / 'prometheus-data'}",
                                f"--web.listen-address=127.0.0.1:{port}"], f"http://127.0.0.1:{port}/-/ready", logs=logs)
