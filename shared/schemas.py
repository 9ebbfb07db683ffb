"""The two bases of every API shape: what a service answers, and what a client sends."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    """An API shape; answers are read straight from ORM objects (`Out.model_validate(row)`)."""

    model_config = ConfigDict(from_attributes=True)


class Body(Schema):
    """What a client sends: an unknown field is refused (422 naming it), never silently dropped."""

    model_config = ConfigDict(extra="forbid")
