from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("schools/", views.school_list, name="list"),
    path("schools/<uuid:pk>/", views.school_detail, name="detail"),
    path("schools/<uuid:pk>/invite/", views.invite, name="invite"),
    path(
        "schools/<uuid:pk>/invitations/<uuid:invitation_pk>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
    path("schools/<uuid:pk>/members/<int:member_pk>/role/", views.change_role, name="role"),
    path("schools/<uuid:pk>/members/<int:member_pk>/remove/", views.remove, name="remove"),
    path("schools/<uuid:pk>/leave/", views.leave, name="leave"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
