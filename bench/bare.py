"""The reference of the public-reads benchmark: FastAPI with nothing but one route answering constant bytes (the
same body as the measured endpoint's), served by the same uvicorn. `BENCH_BODY_FILE` names the file of the body."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Response


def app() -> FastAPI:
    body = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
    bare = FastAPI()

    @bare.get("/constant")
    async def constant() -> Response:
        return Response(body, media_type="application/json")

    return bare
