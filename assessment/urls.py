from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    # xAPI export (docs/xapi.md): the debrief's download, with the trainer's login...
    path("sessions/<uuid:pk>/xapi.json", views.session_xapi, name="xapi"),
    # ...and what the school's learning platform fetches, with a bearer key.
    path("xapi/statements", views.lms_statements, name="lms_statements"),
    path(
        "xapi/sessions/<uuid:pk>/statements",
        views.lms_session_statements,
        name="lms_session_statements",
    ),
]
