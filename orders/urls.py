from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.order_detail, name="order_detail"),
    path("<int:pk>/move/", views.order_transition, name="order_transition"),
    path("<int:pk>/assign/", views.order_assign, name="order_assign"),
    path("<int:pk>/comment/", views.order_comment, name="order_comment"),
    path("<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
]
