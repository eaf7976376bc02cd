from django.conf import settings
from django.contrib.auth import views as auth_views

from shiller import throttle


class LoginView(auth_views.LoginView):
    """Django's login, with failed attempts throttled per client address and per email."""

    def post(self, request, *args, **kwargs):
        identities = self._identities(request)
        waits = [throttle.retry_after(scope, who, settings.LOGIN_RATES) for scope, who in identities]
        if wait := max((w for w in waits if w), default=None):
            return throttle.too_many_attempts(request, wait)
        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:
            for scope, who in identities:
                throttle.record_failure(scope, who, settings.LOGIN_RATES)
        return response

    @staticmethod
    def _identities(request) -> list[tuple[str, str]]:
        email = request.POST.get("username", "").strip().lower()
        return [("login-address", throttle.client_address(request)), ("login-email", email)]
