import functools

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator

from shiller import throttle


def throttled_login(view):
    """Wrap a login view: a POST that does not log in (anything but a redirect) counts as a
    failure per client address and per email-and-address, and once either is full the POST is
    refused with 429. Nothing counts per email alone, so no one can lock a trainer out from
    elsewhere. Used by the trainers' login and the admin's."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        identities = _identities(request)
        waits = [throttle.retry_after(scope, who, rates) for scope, who, rates in identities]
        if wait := max((w for w in waits if w), default=None):
            return throttle.too_many_attempts(request, wait)
        response = view(request, *args, **kwargs)
        if response.status_code != 302:
            for scope, who, rates in identities:
                throttle.record_failure(scope, who, rates)
        return response

    return wrapper


def _identities(request) -> list[tuple[str, str, throttle.Rates]]:
    address = throttle.client_address(request)
    email = request.POST.get("username", "").strip().lower()
    return [
        ("login-address", address, settings.LOGIN_ADDRESS_RATES),
        ("login-email-address", f"{email} {address}", settings.LOGIN_RATES),
    ]


@method_decorator(throttled_login, name="post")
class LoginView(auth_views.LoginView):
    """Django's login, with failed attempts throttled (throttled_login)."""
