from django.urls import path

from sessions_app import views

app_name = "sessions"

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("monitor/<str:code>/", views.monitor, name="monitor"),
    path("monitor/<str:code>/results/<uuid:result>/", views.monitor_result, name="monitor_result"),
    path(
        "monitor/<str:code>/results/<uuid:result>/image",
        views.monitor_result_image,
        name="monitor_result_image",
    ),
    path("sessions/", views.session_list, name="list"),
    path("sessions/new/", views.session_new, name="new"),
    path("sessions/<uuid:pk>/", views.session_control, name="control"),
    path("sessions/<uuid:pk>/actions/<str:name>/", views.session_action, name="action"),
    path("sessions/<uuid:pk>/close/", views.session_close, name="close"),
    path("sessions/<uuid:pk>/results/<uuid:result>/", views.session_result, name="result"),
    path(
        "sessions/<uuid:pk>/results/<uuid:result>/image",
        views.session_result_image,
        name="result_image",
    ),
    path("sessions/<uuid:pk>/notes/", views.session_note, name="note"),
    path("sessions/<uuid:pk>/debrief/", views.session_debrief, name="debrief"),
    path("sessions/<uuid:pk>/debrief.csv", views.session_export, name="export"),
    path("sessions/<uuid:pk>/replay/", views.session_replay, name="replay"),
    path("sessions/<uuid:pk>/replay.json", views.session_replay_json, name="replay_json"),
]
