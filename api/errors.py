"""Every refusal the API gives, in one JSON shape and both languages, never a traceback.

    {"error": {"code": "not_found", "message": "…", "message_zh": "…", "items": [...]}}

``items`` lists per-item problems where there are several (a batch's bad rows, a request's bad fields), each
with where it is (``index``/``field``) and its message in both languages.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from data_access.api_tokens import TokenRefused
from data_access.errors import (
    DataAccessError,
    DatabaseUnavailable,
    NotFound,
    PermissionDenied,
    ValidationError,
    VersionConflict,
)

log = logging.getLogger("perfdash.api")

STATUS_OF: tuple[tuple[type[DataAccessError], int, str], ...] = (
    (TokenRefused, 401, "unauthenticated"),
    (PermissionDenied, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (VersionConflict, 409, "conflict"),
    (ValidationError, 422, "invalid"),
    (DatabaseUnavailable, 503, "unavailable"),
)
HTTP_WORDS = {
    400: ("unreadable_body", "The request body cannot be read as JSON (send UTF-8 JSON)",
          "请求体无法按 JSON 读取（请发送 UTF-8 编码的 JSON）"),
    404: ("not_found", "No such path", "没有此接口路径"),
    405: ("method_not_allowed", "This method is not allowed here", "此路径不支持该请求方法"),
}


class ErrorItem(BaseModel):
    index: int | None = None
    field: str | None = None
    message: str
    message_zh: str


class ErrorBody(BaseModel):
    code: str
    message: str
    message_zh: str
    items: list[ErrorItem] = []


class ErrorResponse(BaseModel):
    """What every 4xx and 5xx answer holds."""

    error: ErrorBody


def error_response(status: int, code: str, message: str, message_zh: str, *, items: list[ErrorItem] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(code=code, message=message, message_zh=message_zh, items=items or []))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


class ApiRefusal(Exception):
    """A refusal the API itself makes (rate limit, size limit, idempotency), with its status and headers."""

    def __init__(self, status: int, code: str, message: str, message_zh: str, *,
                 items: list[ErrorItem] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.message_zh = status, code, message, message_zh
        self.items, self.headers = items, headers


def _data_access_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DataAccessError)
    for kind, status, code in STATUS_OF:
        if isinstance(error, kind):
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return error_response(status, code, str(error), error.message_zh, headers=headers)
    log.error("Unmapped data-access error: %s", error)
    return error_response(500, "internal", "Internal error", "服务器内部错误")


def _api_refusal(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiRefusal)
    return error_response(error.status, error.code, error.message, error.message_zh, items=error.items,
                          headers=error.headers)


# What pydantic's error types say in Chinese ({…}: the error's context, e.g. a limit).
CHINESE_BY_TYPE = {
    "missing": "缺少必填项", "extra_forbidden": "不是可接受的字段", "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "须为 JSON 对象", "dict_type": "须为 JSON 对象", "list_type": "须为数组",
    "string_type": "须为文本", "string_too_short": "不能为空", "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确", "float_type": "须为数字", "float_parsing": "须为数字",
    "finite_number": "须为有限的数字", "int_type": "须为整数", "int_parsing": "须为整数", "int_from_float": "须为整数",
    "greater_than_equal": "须不小于 {ge}", "less_than_equal": "须不大于 {le}", "too_short": "至少需要 {min_length} 项",
    "date_type": "须为日期，如 2026-03-01", "date_parsing": "须为日期，如 2026-03-01",
    "date_from_datetime_parsing": "须为日期，如 2026-03-01", "date_from_datetime_inexact": "须为日期，如 2026-03-01",
    "literal_error": "须为 {expected} 之一",
}


def _located(location: tuple[Any, ...]) -> tuple[int | None, str | None]:
    """(item index, field) of a request error: ``body.items.3.value`` is item 3's ``value``, a header its name."""
    parts = [part for part in location if part != "body"]
    index = None
    if len(parts) >= 2 and parts[0] == "items" and isinstance(parts[1], int):
        index, parts = parts[1], parts[2:]
    if parts[:1] == ["header"] and len(parts) == 2:
        return index, "-".join(word.capitalize() for word in str(parts[1]).split("-"))
    return index, ".".join(str(part) for part in parts) or None


def _request_invalid(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    items = []
    for problem in error.errors():
        index, field = _located(tuple(problem.get("loc", ())))
        message = str(problem.get("msg", "invalid"))
        context = defaultdict(str, {name: str(value) for name, value in (problem.get("ctx") or {}).items()})
        words = CHINESE_BY_TYPE.get(str(problem.get("type")), "无效").format_map(context)
        items.append(ErrorItem(index=index, field=field, message=f"{field}: {message}" if field else message,
                               message_zh=f"{field or '请求'}：{words}"))
    return error_response(422, "invalid", "The request is not valid", "请求内容无效", items=items)


def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code, english, chinese = HTTP_WORDS.get(error.status_code, ("http_error", str(error.detail), str(error.detail)))
    return error_response(error.status_code, code, english, chinese, headers=getattr(error, "headers", None))


def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    log.exception("Unhandled API error", exc_info=error)
    return error_response(500, "internal", "Internal error", "服务器内部错误")


def install(app: FastAPI) -> None:
    """Register the handlers: data-layer errors by kind, the API's own refusals, bad requests, anything else."""
    app.add_exception_handler(DataAccessError, _data_access_error)
    app.add_exception_handler(ApiRefusal, _api_refusal)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
