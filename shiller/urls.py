from django.contrib import admin
from django.urls import include, path

from trainers.views import throttled_login

urlpatterns = [
    path("", include("sessions_app.urls")),
    path("", include("library.urls")),
    path("", include("schools.urls")),
    path("assessment/", include("assessment.urls")),
    path("accounts/", include("trainers.urls")),
    # Django's set_language view: the footer's language switcher posts to /i18n/setlang/.
    path("i18n/", include("django.conf.urls.i18n")),
    # Before admin.site.urls, so that the admin's login is throttled like the trainers'.
    path("admin/login/", throttled_login(admin.site.login)),
    path("admin/", admin.site.urls),
]
