"""Who is calling, once proven: the only thing handlers see of authentication."""

from __future__ import annotations

from dataclasses import dataclass

from herald_gateway.problems import NotFound, Unprocessable


@dataclass(frozen=True)
class Caller:
    user_id: str
    business_ids: frozenset[int]
    via: str = "jwt"
    """'jwt' for a person signed in with the identity provider, 'api_key' for a service or script."""
    api_key_id: str | None = None

    @property
    def rate_limit_key(self) -> str:
        return f"key:{self.api_key_id}" if self.api_key_id else f"user:{self.user_id}"

    def business(self, requested: int | None) -> int:
        """The business a request acts for: the one asked for (if the caller belongs to it) or the only one."""
        if requested is None:
            if len(self.business_ids) == 1:
                return next(iter(self.business_ids))
            if not self.business_ids:
                raise NotFound("you belong to no business")
            raise Unprocessable(
                "business_id is required: you belong to several businesses",
                businesses=sorted(self.business_ids),
            )
        if requested not in self.business_ids:
            raise NotFound(f"business {requested} not found")  # never confirm another tenant exists
        return requested
