"""The gRPC channel a download runs on, apart from the control stream's channel."""

from __future__ import annotations

import grpc

__all__ = ["DOWNLOAD_CHANNEL_OPTIONS", "open_download_channel"]

DOWNLOAD_CHANNEL_OPTIONS = [
    # Each stream may receive this far ahead of the reader (HTTP/2 stream window); the
    # default 64 KiB leaves the server waiting for window updates between 1 MiB messages.
    ("grpc.http2.lookahead_bytes", 8 * 1024 * 1024),
    ("grpc.max_receive_message_length", 4 * 1024 * 1024),
    ("grpc.enable_retries", 0),
]


def open_download_channel(target: str, credentials: grpc.ChannelCredentials | None = None) -> grpc.aio.Channel:
    if credentials is None:
        return grpc.aio.insecure_channel(target, options=DOWNLOAD_CHANNEL_OPTIONS)
    return grpc.aio.secure_channel(target, credentials, options=DOWNLOAD_CHANNEL_OPTIONS)
