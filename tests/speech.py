"""Voice-note test material: a real WAV recording, and a loopback speech service answering as a test says."""
from __future__ import annotations

import http.server
import io
import threading
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Handler = Callable[[http.server.BaseHTTPRequestHandler, bytes], tuple[int, bytes]]


def recording() -> bytes:
    """A tenth of a second of silence as a real WAV file (what st.audio_input records)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(b"\x00\x00" * 1600)
    return out.getvalue()


@contextmanager
def speech_service(handler: Handler) -> Iterator[str]:
    """A speech service on 127.0.0.1 answering each POST with ``handler(request, body)``; its URL."""
    class Answer(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            status, body = handler(self, self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/asr"
    finally:
        server.shutdown()
        server.server_close()
