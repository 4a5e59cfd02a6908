"""Injected failures: the next N requests matching a route answer 5xx or 429 like Discord."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from aiohttp import web


@dataclass
class Fault:
    pattern: str
    status: int
    remaining: int
    retry_after: float
    method: str | None = None
    is_global: bool = False
    hits: int = 0

    def matches(self, method: str, path: str, template: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.pattern in path or self.pattern in template

    def response(self) -> web.Response:
        if self.status == 429:
            body = {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": self.is_global,
            }
            headers = {
                "Content-Type": "application/json",
                "Retry-After": str(max(1, round(self.retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + self.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
                "X-RateLimit-Bucket": "sandbox-" + str(abs(hash(self.pattern)) % 10**8),
                "X-RateLimit-Scope": "global" if self.is_global else "user",
                "Via": "1.1 google",
            }
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
            return web.Response(body=json.dumps(body).encode(), status=429, headers=headers)
        body2 = {"message": "Internal Server Error", "code": 0}
        return web.Response(
            body=json.dumps(body2).encode(), status=self.status, headers={"Content-Type": "application/json"}
        )


class Faults:
    def __init__(self) -> None:
        self.rules: list[Fault] = []
        self.fired: list[tuple[str, str, int]] = []

    def add(
        self,
        pattern: str,
        status: int = 500,
        count: int = 1,
        retry_after: float = 0.1,
        *,
        method: str | None = None,
        is_global: bool = False,
    ) -> Fault:
        fault = Fault(pattern, status, count, retry_after, method, is_global)
        self.rules.append(fault)
        return fault

    def take(self, method: str, path: str, template: str) -> Fault | None:
        for fault in self.rules:
            if fault.remaining > 0 and fault.matches(method, path, template):
                fault.remaining -= 1
                fault.hits += 1
                self.fired.append((method, path, fault.status))
                return fault
        return None
