from django.urls import path

from library import views

app_name = "library"

urlpatterns = [
    path("templates/", views.template_list, name="list"),
    path("templates/new/", views.template_new, name="new"),
    path("templates/<uuid:pk>/", views.template_detail, name="detail"),
    path("templates/<uuid:pk>/edit/", views.template_edit, name="edit"),
    path("templates/<uuid:pk>/duplicate/", views.template_duplicate, name="duplicate"),
    path("templates/<uuid:pk>/delete/", views.template_delete, name="delete"),
]
