"""What the live transport keeps once per event loop: a server process has one loop; the tests
start a loop per test, and each gets its own."""

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def per_loop(make: Callable[[], T]) -> Callable[[], T]:
    """A function returning the running loop's `make()`, made on its first call in that loop."""
    made: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = weakref.WeakKeyDictionary()
    # The last loop's, without the weak dictionary's hashing: a server asks thousands of times
    # a second, always from its one loop.
    last: list = [None, None]

    def get() -> T:
        loop = asyncio.get_running_loop()
        if last[0] is not loop:
            if loop not in made:
                made[loop] = make()
            last[:] = [loop, made[loop]]
        return last[1]

    return get
