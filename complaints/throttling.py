"""Per-address limits on filing complaints and on looking them up (no account is needed for either).

The same counters serve the pages and the API, so switching from one to the other gains nothing.
"""

from __future__ import annotations

from portal.api.throttling import AnonWindowThrottle


class _PerAddress(AnonWindowThrottle):
    default_rate = "10/hour"

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope, self.default_rate)

    def get_cache_key(self, request, view):
        # Signed in or not: a complaint is counted against the address it comes from.
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ComplaintThrottle(_PerAddress):
    scope = "complaint"


class ComplaintLookupThrottle(_PerAddress):
    """A token has about 50 bits; at this rate per address guessing one is hopeless."""

    scope = "complaint_lookup"
    default_rate = "30/hour"


def allowed(throttle_class, request) -> bool:
    """The page's check (a Django request carries what the throttle reads: the address)."""
    return throttle_class().allow_request(request, None)
