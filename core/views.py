from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def help_page(request: HttpRequest) -> HttpResponse:
    """Public: how to reach the customer centre, and when."""
    return render(request, "core/help.html")
