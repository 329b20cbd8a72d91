"""Errors out of gRPC: UpkeepError → status code, translated message, error-code trailer.

The message follows the caller's ``accept-language`` metadata; the stable error code is
sent in the ``x-upkeep-error-code`` trailing metadata. Installed once as a server
interceptor, so servicers simply raise.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from common.errors import UpkeepError
from common.i18n import negotiate_locale

__all__ = ["ERROR_CODE_KEY", "ErrorInterceptor", "metadata_locale"]

logger = logging.getLogger(__name__)

ERROR_CODE_KEY = "x-upkeep-error-code"


def metadata_locale(context: grpc.aio.ServicerContext) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == "accept-language":
            return negotiate_locale(str(value))
    return negotiate_locale(None)


async def _abort(context: grpc.aio.ServicerContext, exc: UpkeepError) -> None:
    context.set_trailing_metadata(((ERROR_CODE_KEY, exc.error_code),))
    await context.abort(getattr(grpc.StatusCode, exc.grpc_status_name), exc.translated(metadata_locale(context)))


def _wrap_unary(behavior: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def wrapper(request_or_iterator: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await behavior(request_or_iterator, context)
        except UpkeepError as exc:
            await _abort(context, exc)

    return wrapper


def _wrap_stream(behavior: Callable[..., AsyncIterator[Any]]) -> Callable[..., AsyncIterator[Any]]:
    async def wrapper(request_or_iterator: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        try:
            async for item in behavior(request_or_iterator, context):
                yield item
        except UpkeepError as exc:
            await _abort(context, exc)

    return wrapper


class ErrorInterceptor(grpc.aio.ServerInterceptor):
    """Maps UpkeepError raised by any upkeep servicer to its gRPC status."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or not handler_call_details.method.startswith("/upkeep."):
            return handler
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                _wrap_unary(handler.unary_unary), handler.request_deserializer, handler.response_serializer
            )
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(
                _wrap_unary(handler.stream_unary), handler.request_deserializer, handler.response_serializer
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                _wrap_stream(handler.unary_stream), handler.request_deserializer, handler.response_serializer
            )
        if handler.stream_stream:
            return grpc.stream_stream_rpc_method_handler(
                _wrap_stream(handler.stream_stream), handler.request_deserializer, handler.response_serializer
            )
        return handler
