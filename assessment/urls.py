from django.urls import path

from assessment import views, xapi_views

app_name = "assessment"

urlpatterns = [
    path("templates/<uuid:pk>/cohort/", views.cohort, name="cohort"),
    path("templates/<uuid:pk>/cohort.csv", views.cohort_export, name="cohort_export"),
    # xAPI export (docs/xapi.md): the debrief's download, with the trainer's login...
    path("sessions/<uuid:pk>/xapi.json", xapi_views.session_xapi, name="xapi"),
    # ...and what the school's learning platform fetches, with a bearer key.
    path("xapi/statements", xapi_views.lms_statements, name="lms_statements"),
    path(
        "xapi/sessions/<uuid:pk>/statements",
        xapi_views.lms_session_statements,
        name="lms_session_statements",
    ),
]
