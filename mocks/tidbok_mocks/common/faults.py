"""Fault rules: which requests to disturb, how, and how often."""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class FaultKind(StrEnum):
    """The disturbances the mocks can inject."""

    DELAY = "delay"
    HTTP_500 = "http_500"
    HTTP_503 = "http_503"
    HTTP_429 = "http_429"
    RESET = "reset"
    MALFORMED = "malformed"
    COMMIT_THEN_DROP = "commit_then_drop"
    COMMIT_THEN_500 = "commit_then_500"
    COMMIT_AFTER_CLIENT_TIMEOUT = "commit_after_client_timeout"


#: The kinds that wait: they take ``seconds`` (or ``min_seconds`` and ``max_seconds``).
TIMED_KINDS = frozenset({FaultKind.DELAY, FaultKind.COMMIT_AFTER_CLIENT_TIMEOUT})


class FaultMatch(BaseModel):
    """Which requests a fault applies to; absent fields match everything."""

    model_config = ConfigDict(extra="forbid")

    method: str | None = None
    path: str | None = Field(default=None, description="regular expression searched in the path")

    @field_validator("path")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as error:
                raise ValueError(f"invalid regular expression: {error}") from None
        return value


class FaultSpec(BaseModel):
    """A fault as posted to ``POST /__admin/faults``."""

    model_config = ConfigDict(extra="forbid")

    match: FaultMatch = Field(default_factory=FaultMatch)
    kind: FaultKind
    times: int | None = Field(default=None, ge=1)
    probability: float | None = Field(default=None, ge=0.0, le=1.0)
    seed: int | None = None
    seconds: float | None = Field(default=None, ge=0.0, le=120.0)
    min_seconds: float | None = Field(default=None, ge=0.0, le=120.0)
    max_seconds: float | None = Field(default=None, ge=0.0, le=120.0)
    retry_after: int = Field(default=1, ge=0)

    @model_validator(mode="after")
    def _delay_needs_duration(self) -> FaultSpec:
        ranged = self.min_seconds is not None or self.max_seconds is not None
        if self.kind in TIMED_KINDS:
            if self.seconds is None and not ranged:
                raise ValueError(f"{self.kind} needs 'seconds' or 'min_seconds' and 'max_seconds'")
            if ranged and (self.min_seconds is None or self.max_seconds is None):
                raise ValueError("a random delay needs both 'min_seconds' and 'max_seconds'")
            if (
                self.min_seconds is not None
                and self.max_seconds is not None
                and self.min_seconds > self.max_seconds
            ):
                raise ValueError("'min_seconds' must not exceed 'max_seconds'")
        elif self.seconds is not None or ranged:
            raise ValueError(
                "only delay and commit_after_client_timeout take 'seconds', 'min_seconds' or "
                "'max_seconds'"
            )
        return self


@dataclass
class FaultRule:
    """A registered fault with its own random generator and remaining count."""

    id: str
    spec: FaultSpec
    rng: random.Random
    remaining: int | None
    fired: int = 0
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.spec.match.path is not None:
            self._pattern = re.compile(self.spec.match.path)

    @property
    def kind(self) -> FaultKind:
        """The disturbance."""
        return self.spec.kind

    @property
    def exhausted(self) -> bool:
        """Whether the rule has fired its ``times`` already."""
        return self.remaining is not None and self.remaining <= 0

    def matches(self, method: str, path: str) -> bool:
        """Whether the request's method and path fit the rule's match."""
        wanted = self.spec.match.method
        if wanted is not None and wanted.upper() != method.upper():
            return False
        return self._pattern is None or self._pattern.search(path) is not None

    def delay_seconds(self) -> float:
        """The delay to apply now (fixed, or drawn from the range with the rule's seed)."""
        if self.spec.seconds is not None:
            return self.spec.seconds
        low = self.spec.min_seconds or 0.0
        high = self.spec.max_seconds or low
        return self.rng.uniform(low, high)

    def view(self) -> dict[str, Any]:
        """The rule as shown by ``GET /__admin/faults``."""
        return {
            "id": self.id,
            **self.spec.model_dump(mode="json", exclude_none=True),
            "remaining": self.remaining,
            "fired": self.fired,
        }


class FaultRegistry:
    """The active fault rules, tried in the order they were added."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(self, spec: FaultSpec) -> FaultRule:
        """Register a rule."""
        rule = FaultRule(
            id=f"f{next(self._ids)}",
            spec=spec,
            rng=random.Random(spec.seed),
            remaining=spec.times,
        )
        self._rules.append(rule)
        return rule

    def rules(self) -> list[FaultRule]:
        """The rules still active."""
        return [rule for rule in self._rules if not rule.exhausted]

    def remove(self, rule_id: str) -> bool:
        """Remove one rule; ``False`` if there was none with that id."""
        before = len(self._rules)
        self._rules = [rule for rule in self._rules if rule.id != rule_id]
        return len(self._rules) != before

    def clear(self) -> None:
        """Remove every rule."""
        self._rules.clear()

    def pick(self, method: str, path: str) -> FaultRule | None:
        """The first matching rule that fires for this request, consuming one of its ``times``."""
        for rule in self._rules:
            if rule.exhausted or not rule.matches(method, path):
                continue
            probability = rule.spec.probability
            if probability is not None and rule.rng.random() >= probability:
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
            rule.fired += 1
            return rule
        return None
