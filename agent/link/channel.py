"""The gRPC channel to the control server: plaintext or TLS (optionally mutual), keepalive on."""

from __future__ import annotations

import grpc

from agent.config import ServerLinkConfig

__all__ = ["CHANNEL_OPTIONS", "SEND_CUT", "channel_credentials", "open_channel", "stream_status"]

CHANNEL_OPTIONS = [
    # Heartbeats are data, and with keepalive on grpc sets TCP_USER_TIMEOUT to the keepalive
    # timeout: a heartbeat unacknowledged for 20 s drops a dead connection. Pings are only
    # for when heartbeats stop, so they can be rare (each costs the server a wake-up; a
    # minute's pings from 20,000 agents were 3 % of a core).
    ("grpc.keepalive_time_ms", 300_000),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.max_receive_message_length", 4 * 1024 * 1024),
    # Reconnects are paced by the link's own backoff.
    ("grpc.enable_retries", 0),
]


SEND_CUT = "the connection closed under a message being sent"


def stream_status(error: grpc.aio.AioRpcError) -> tuple[grpc.StatusCode, str]:
    """The status a stream really ended with.

    When the connection closes under a message being sent (the server was killed, say),
    grpc's Python client overwrites the stream's status with INTERNAL "Internal error from
    Core", its debug string naming the failed SendMessageOperation (grpc/aio/_call.py
    ``_write``). That is a lost link, not a failure of the server: UNAVAILABLE.
    """
    if error.code() is grpc.StatusCode.INTERNAL and "SendMessageOperation" in (error.debug_error_string() or ""):
        return grpc.StatusCode.UNAVAILABLE, SEND_CUT
    return error.code(), error.details() or ""


def channel_credentials(config: ServerLinkConfig) -> grpc.ChannelCredentials | None:
    """TLS credentials from ``[server]`` (client certificate for mutual TLS); None for plaintext."""
    if not config.tls:
        return None
    return grpc.ssl_channel_credentials(
        root_certificates=config.ca_file.read_bytes() if config.ca_file else None,
        private_key=config.key_file.read_bytes() if config.key_file else None,
        certificate_chain=config.cert_file.read_bytes() if config.cert_file else None,
    )


def open_channel(config: ServerLinkConfig, address: str) -> grpc.aio.Channel:
    credentials = channel_credentials(config)
    if credentials is None:
        return grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS)
    return grpc.aio.secure_channel(address, credentials, options=CHANNEL_OPTIONS)
