"""The set of top-level domains a URL without a protocol may end in.

X only treats ``example.com`` as a link (and so counts it as 23) when ``com`` is a real
top-level domain. We ship IANA's root-zone list as a data file (``tlds.txt``) rather than
use ``tldextract`` (it refreshes its list over the network) or the ``tld`` package (its
public-suffix data answers a different question: registrable domains, not root TLDs).
"""

from functools import cache
from importlib import resources

# "xn--" labels are punycode: twitter-text accepts any of them as a TLD.
PUNYCODE_PREFIX = "xn--"


@cache
def top_level_domains() -> frozenset[str]:
    """Lower-case TLDs, IDN ones in Unicode form (``中国``, ``پاکستان``)."""
    text = resources.files(__package__).joinpath("tlds.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@cache
def longest_tld_length() -> int:
    return max(len(tld) for tld in top_level_domains())
