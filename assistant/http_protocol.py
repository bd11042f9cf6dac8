"""uvicorn's HTTP protocol with two mends for a public site: raw UTF-8 in a request line is percent-encoded
before parsing (`curl 'host/api/initiatives?department=デジタル政策課'` works, as it does from a browser), and a
request the parser cannot read gets the API's JSON error shape instead of uvicorn's plain-text 400."""

from __future__ import annotations

import json
import re

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

NON_ASCII = re.compile(rb"[\x80-\xff]")
UNREADABLE = json.dumps({"error": {
    "code": "invalid_request", "message_ja": "リクエストを読み取れませんでした。URLとヘッダーを確認してください。",
    "message_en": "The request could not be read. Check its URL and headers."}}, ensure_ascii=False).encode("utf-8")
SECURITY = (b"x-content-type-options: nosniff\r\n", b"cache-control: no-store\r\n")


def percent_encoded(line: bytes) -> bytes:
    """Bytes of a request line outside ASCII as %XX (what a browser sends for the same URL)."""
    return NON_ASCII.sub(lambda m: b"%%%02X" % m.group()[0], line)


class Protocol(HttpToolsProtocol):
    """HttpToolsProtocol that reads raw UTF-8 request targets and answers unreadable requests in the error shape."""

    in_request_line = True  # the next bytes start (or continue) a request line

    def data_received(self, data: bytes) -> None:
        """Percent-encode what is left of the request line, then parse as usual."""
        if self.in_request_line:
            end = data.find(b"\r\n")
            cut = len(data) if end < 0 else end
            data = percent_encoded(data[:cut]) + data[cut:]
            self.in_request_line = end < 0
        super().data_received(data)

    def on_message_complete(self) -> None:
        """A request has been read: the next bytes on this connection start a new request line."""
        self.in_request_line = True
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        """The 400 for a request the parser cannot read, as JSON in the API's error shape."""
        content = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend([b"content-type: application/json\r\n", *SECURITY,
                        b"content-length: " + str(len(UNREADABLE)).encode("ascii") + b"\r\n",
                        b"connection: close\r\n\r\n", UNREADABLE])
        self.transport.write(b"".join(content))
        self.transport.close()
