"""uvicorn's httptools protocol with TCP_NODELAY set on every accepted connection.

uvloop and asyncio's own transports already set it; this makes the peer's best configuration
independent of that detail (bench/README.md says how it was checked)."""

import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport):  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
