"""The cyclic garbage collector, tuned for a server that holds thousands of sockets.

With CPython's defaults (700, 10, 10), a daphne carrying 200 sessions (1,200 sockets) ran a
young collection every 30 ms and a full one every few seconds; a full one walks every object
alive (about 280,000) and held the event loop for 120-205 ms: the tail of the screens' latency
(docs/performance.md, "Collector pauses"). What startup made (modules, models, URL patterns,
catalogues) is never freed, so gc.freeze() moves it to the permanent generation that
collections ignore; and collections are made rarer, since nearly all of a change's garbage is
freed by reference counting, not by the collector. The thresholds were measured here: with them
the same run has a few young passes and no full one.
"""

import gc
import os

# (allocations before a gen-0 pass, gen-0 passes before gen 1, gen-1 passes before gen 2)
THRESHOLDS = (20_000, 20, 10)


def tune() -> None:
    """Freeze what exists now and set the thresholds; SHILLER_GC=default leaves both alone."""
    if os.environ.get("SHILLER_GC") == "default":
        return
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
