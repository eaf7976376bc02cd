from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("sessions_app.urls")),
    path("accounts/", include("trainers.urls")),
    # Django's set_language view: the footer's language switcher posts to /i18n/setlang/.
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
