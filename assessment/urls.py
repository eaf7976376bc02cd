from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("templates/<uuid:pk>/cohort/", views.cohort, name="cohort"),
    path("templates/<uuid:pk>/cohort.csv", views.cohort_export, name="cohort_export"),
]
