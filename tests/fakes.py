"""Stand-ins for outside services, served on loopback: tests never reach the network."""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@contextmanager
def fake_ban_server(addresses: dict[str, tuple[float, float]]):
    """A BAN (api-adresse) look-alike: GET /search/?q=... answers GeoJSON features.

    Yields the server's `host:port` and the list of queries it received.
    """
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urlparse(self.path)
            query = parse_qs(url.query).get("q", [""])[0]
            received.append(query)
            features = []
            if url.path.rstrip("/") == "/search" and query in addresses:
                latitude, longitude = addresses[query]
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
                        "properties": {"label": query, "score": 0.97, "type": "housenumber"},
                    }
                )
            body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
