"""FastAPI JSON API, widget assets and API docs; every error in one shape. No answering logic here.

No `from __future__ import annotations`: FastAPI must see the request model built in create_api."""


import re
import sqlite3
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, create_model
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount

from . import catalogue, ui_list
from .catalogue import InitiativeList, KpiList
from .errors import (
    AssistantError,
    EmptyQuestionError,
    FeedbackUnavailableError,
    InputError,
    QuestionTooLongError,
    UnknownFilterError,
)
from .feedback import Feedback, FeedbackStore, rater_key
from .guards import ErrorResponse, ErrorShape, Exposure, Guard, SecurityHeaders, by_status, client_of, error
from .limits import BODY_BYTES, HISTORY_ITEMS, TURN_CHARS
from .models import Answer
from .policy import Routes, allowed_hosts
from .ratelimit import RateLimiter
from .text import is_english

STATIC = Path(__file__).parent / "static"
SWAGGER = files("fastapi_offline") / "static"  # Swagger UI from a PyPI package: /docs needs no CDN


class Turn(BaseModel):
    """One earlier turn of the conversation (only the user's turns are read, each from its end)."""

    role: str = Field(default="user", max_length=20)
    content: str = Field(default="", max_length=TURN_CHARS)


class Health(BaseModel):
    """The index answers a real query; which build and store only with ASSISTANT_HEALTH_DETAILS."""

    status: str
    build: str | None = None
    corpus_hash: str | None = None
    documents: int | None = None
    initiatives: int | None = None
    chroma: str | None = None


class FeedbackSaved(BaseModel):
    """The stored rating's id (nothing about other ratings: their totals are for staff, not for callers)."""

    id: int


def ask_request(limit: int) -> type[BaseModel]:
    """The body of POST /api/ask, with the configured question length in its schema."""
    return create_model(
        "AskRequest",
        question=(str, Field(min_length=1, max_length=limit, description=f"質問 (1–{limit} characters)")),
        history=(list[Turn | Annotated[str, Field(max_length=TURN_CHARS)]], Field(default_factory=list, max_length=HISTORY_ITEMS,
                                         description="earlier turns, oldest first (only the last user turns count)")),
    )


def errors_doc(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error responses, all in the ErrorResponse shape."""
    text = {400: "bad input", 404: "not found", 413: f"body over {BODY_BYTES} bytes", 422: "malformed request",
            429: "rate limited (Retry-After header)", 500: "internal error", 503: "index or feedback store unavailable, or the feedback store full"}
    return {c: {"model": ErrorResponse, "description": text[c]} for c in codes}


COMMON = (400, 413, 422, 429, 500, 503)


def create_api(bot: Any, feedback: FeedbackStore | None = None) -> FastAPI:
    """The FastAPI app around an Assistant (anything with .ask, .health and .settings)."""
    settings = bot.settings
    app = FastAPI(title="金沢市DXアクションプラン2.0 アシスタント API", version="0.2.0", docs_url=None, redoc_url=None)
    app.state.bot = bot
    app.state.feedback = feedback or FeedbackStore.from_settings(settings)
    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_path)
    documented: dict[str, set[str]] = {}  # filled once the routes below exist
    app.state.exposure = exposure = Exposure(
        hosts=allowed_hosts(settings.public_url, settings.allowed_hosts), origins=tuple(settings.cors_origins),
        trusted=tuple(settings.trusted_proxies), methods=documented.get)
    # added innermost first: the guard (hosts, routes, origins, limits, 500s) → CORS (answers preflights first;
    # always ours, so a mounted Gradio adds none of its own) → every error in one shape → security headers
    app.add_middleware(Guard, limiter=limiter, exposure=exposure)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"], expose_headers=["Retry-After"])
    app.add_middleware(ErrorShape)
    app.add_middleware(SecurityHeaders)
    add_error_handlers(app)
    AskRequest = ask_request(settings.max_question_chars)  # noqa: N806 - a model class

    @app.post("/api/ask", response_model=Answer, responses=errors_doc(*COMMON))
    def ask(req: AskRequest) -> Answer:  # type: ignore[valid-type]
        """Answer a question about the plan, with citations. A question the schema allows but the assistant does
        not take (only spaces, control characters, HTML) is declined with the reason: 200, grounded false."""
        history = [t if isinstance(t, str) else t.model_dump() for t in req.history]
        try:
            return app.state.bot.ask(req.question, history=history)
        except InputError as exc:
            english = is_english(req.question)
            return Answer(text=exc.message_en if english else exc.detail, grounded=False, kind="rejected",
                          language="en" if english else "ja")

    @app.post("/api/feedback", response_model=FeedbackSaved, responses=errors_doc(*COMMON))
    def feedback_endpoint(item: Feedback, request: Request) -> FeedbackSaved:
        """Store 👍/👎 for an answer (recorded as coming from the API, whatever the body says); a client's new
        rating of the same question and answer replaces its earlier one (the same id comes back). 503 when the
        store is full (ASSISTANT_FEEDBACK_MAX_MB) or cannot be written."""
        store: FeedbackStore = app.state.feedback
        rater = rater_key("api", client_of(request.scope, settings.trusted_proxies), item.question, item.answer)
        return FeedbackSaved(id=store.add(item.model_copy(update={"source": "api"}), rater=rater))

    @app.get("/healthz", response_model=Health, response_model_exclude_none=True, responses=errors_doc(500, 503))
    def healthz() -> Health:
        """A real query is run against the index (503 when it cannot answer); details only when configured."""
        health = bot.health()
        return Health(**health) if settings.health_details else Health(status=health["status"])

    IniFilter, KpiFilter = catalogue.filter_models(bot.plan)  # noqa: N806 - model classes

    @app.get("/api/initiatives", response_model=InitiativeList, responses=table_doc(*COMMON))
    def list_initiatives(f: Annotated[IniFilter, Query()], request: Request) -> Response:  # type: ignore[valid-type]
        """The plan's initiatives that meet every filter given, in plan order (JSON, or CSV with `format=csv` or
        `Accept: text/csv`). An unknown department, viewpoint, goal or status is a 400 that lists the allowed ones."""
        found = catalogue.initiatives(bot.plan, f)
        if wants_csv(f.format, request):
            return csv_response(catalogue.initiatives_csv(found, english=f.lang == "en"), "initiatives.csv")
        return JSONResponse(found.model_dump(mode="json"))

    @app.get("/api/kpis", response_model=KpiList, responses=table_doc(*COMMON))
    def list_kpis(f: Annotated[KpiFilter, Query()], request: Request) -> Response:  # type: ignore[valid-type]
        """The plan's KPIs (targets for the end of FY2029) that meet every filter given (JSON, or CSV)."""
        found = catalogue.kpis(bot.plan, f)
        if wants_csv(f.format, request):
            return csv_response(catalogue.kpis_csv(found, english=f.lang == "en"), "kpis.csv")
        return JSONResponse(found.model_dump(mode="json"))

    @app.get("/list", include_in_schema=False)
    def list_page(request: Request) -> HTMLResponse:
        """The 「取組一覧」 page: the same rows as /api/initiatives, filtered by the URL's parameters."""
        params = {k: v[:200] for k, v in list(request.query_params.items())[:20]}
        return HTMLResponse(ui_list.page(bot.plan, params))

    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def api_not_found(rest: str) -> JSONResponse:
        """Unknown /api/ routes answer 404 in the error shape (not the UI's page)."""
        return not_found()

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI, served from this server."""
        return get_swagger_ui_html(openapi_url="/openapi.json", title=app.title,
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon.png")

    app.mount("/docs-assets", StaticFiles(directory=str(SWAGGER)), name="docs-assets")
    documented.update(route_methods(app))

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> FileResponse:
        """The embeddable chat widget."""
        return FileResponse(STATIC / "widget.js", media_type="application/javascript; charset=utf-8",
                            headers={"Cache-Control": "public, max-age=300"})

    @app.get("/embed-demo", include_in_schema=False)
    def embed_demo() -> HTMLResponse:
        """A sample city page with the one-line embed tag."""
        return HTMLResponse((STATIC / "embed-demo.html").read_text(encoding="utf-8"))

    app.state.routes = own_routes(app)
    return app


def table_doc(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries of a table route: JSON or CSV on 200, errors in the ErrorResponse shape."""
    csv_doc = {"text/csv": {"schema": {"type": "string"}, "example": "\ufeffID,取組,新規,..."}}
    return {200: {"content": csv_doc, "description": "the rows (JSON, or CSV with format=csv)"}} | errors_doc(*codes)


def wants_csv(format: str | None, request: Request) -> bool:
    """CSV when asked by the format parameter, or by an Accept header that names text/csv (and no format)."""
    if format is not None:
        return format == "csv"
    return "text/csv" in request.headers.get("accept", "")


def csv_response(text: str, filename: str) -> Response:
    """A CSV download (UTF-8 with BOM) that Excel opens as it is."""
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


QUESTION_LENGTH = {
    "string_too_short": lambda _e: EmptyQuestionError(),
    "string_too_long": lambda e: QuestionTooLongError(int(e.get("ctx", {}).get("max_length", 0))),
}


def route_methods(app: FastAPI) -> dict[str, set[str]]:
    """The methods each documented route takes (HEAD and OPTIONS too); paths with parameters are left out."""
    methods: dict[str, set[str]] = {}
    for r in app.routes:
        if isinstance(r, APIRoute) and "{" not in r.path:
            methods.setdefault(r.path, {"HEAD", "OPTIONS"}).update(r.methods)
    return methods


def own_routes(app: FastAPI) -> Routes:
    """This app's own paths and mounted prefixes (the UI mounted later adds only the routes it needs)."""
    paths = [(r.path, isinstance(r, Mount)) for r in app.routes if getattr(r, "path", "")]
    exact = frozenset(p for p, mount in paths if not mount and "{" not in p)
    prefixes = tuple(f"{p}/" for p, mount in paths if mount) + tuple(p.split("{", 1)[0] for p, _ in paths if "{" in p)
    return Routes(exact=exact, prefixes=prefixes)


def not_found() -> JSONResponse:
    """404 in the error shape."""
    return by_status(404)


def add_error_handlers(app: FastAPI) -> None:
    """Validation, HTTP and assistant errors, all as {"error": {code, message_ja, message_en}}."""

    @app.exception_handler(RequestValidationError)
    async def invalid_body(_request: Request, exc: RequestValidationError) -> JSONResponse:
        query = [e for e in exc.errors() if tuple(e.get("loc", ()))[:1] == ("query",)]
        if query:  # a table route's parameter: say which one, and what it takes
            name = str(tuple(query[0]["loc"])[-1])[:40]
            if query[0].get("type") == "literal_error":  # a value the plan does not have: name the ones it has
                err = UnknownFilterError(name, str(query[0].get("input", ""))[:100],
                                         re.findall(r"'([^']*)'", str(query[0].get("ctx", {}).get("expected", ""))))
                return error(400, type(err).__name__, err.message_ja, err.message_en)
            if query[0].get("type") == "extra_forbidden":
                return error(422, "unknown_parameter", f"{name} というパラメータはありません。使えるパラメータは /docs にあります。",
                             f"There is no parameter {name!r}. See /docs for the parameters.")
            return error(422, "invalid_parameter", f"パラメータ {name} の値が正しくありません（{query[0].get('msg', '')}）。"
                         "/docs で使える値を確認できます。",
                         f"The parameter {name} is not valid ({query[0].get('msg', '')}). See /docs for its values.")
        for e in exc.errors():  # the question's own length: the same 400 as the assistant's own check
            if tuple(e.get("loc", ()))[-1:] == ("question",) and e.get("type") in QUESTION_LENGTH:
                err = QUESTION_LENGTH[e["type"]](e)
                return error(400, type(err).__name__, err.message_ja, err.message_en)
        return error(422, "invalid_request", "リクエストの形式が正しくありません。JSONで {\"question\": \"…\"} を送ってください。",
                     "The request body is malformed. Send JSON like {\"question\": \"...\"}.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return not_found()
        if exc.status_code == 405:
            return by_status(405)
        return error(400 if exc.status_code < 500 else 500, "invalid_request",
                     "リクエストを読み取れませんでした。UTF-8 の JSON を送ってください。",
                     "The request could not be read. Send UTF-8 JSON.")

    @app.exception_handler(AssistantError)
    async def assistant_error(_request: Request, exc: AssistantError) -> JSONResponse:
        status = 400 if isinstance(exc, InputError) else 503
        return error(status, type(exc).__name__, exc.detail, exc.message_en)

    @app.exception_handler(sqlite3.Error)
    async def store_error(_request: Request, _exc: sqlite3.Error) -> JSONResponse:
        return error(503, "feedback_unavailable", FeedbackUnavailableError.message_ja,
                     FeedbackUnavailableError.message_en)
