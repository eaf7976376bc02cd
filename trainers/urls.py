from django.contrib.auth import views as auth_views
from django.urls import path

from trainers import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("profile/lms-keys/", views.lms_token_new, name="lms_token_new"),
    path("profile/lms-keys/<uuid:pk>/revoke/", views.lms_token_revoke, name="lms_token_revoke"),
]
