import datetime as dt
from django.core.management import call_command
from django.utils import timezone
from core.models import OutboundEmail, AuditEvent
from memberships import services
from memberships.models import TermsVersion, Membership

def test_scratch(world, terms, django_capture_on_commit_callbacks):
    v = terms.draft
    v.sign_by = timezone.localdate() + dt.timedelta(days=40)
    v.effective_date = v.sign_by
    v.save()
    with django_capture_on_commit_callbacks(execute=True) as cbs:
        services.terms_publish(actor=world["membership_manager"], version=v)
    print(len(cbs))
    with django_capture_on_commit_callbacks(execute=True) as cbs2:
        call_command("db_worker", batch=True)
    print(len(cbs2), list(OutboundEmail.objects.values_list("to", "subject", "status")))
    print(list(Membership.objects.values_list("organisation__name", "state")))
    from django_tasks_db.models import DBTaskResult
    print(list(DBTaskResult.objects.values_list("task_path", "status", "return_value")))
    with django_capture_on_commit_callbacks(execute=True) as cbs3:
        call_command("db_worker", batch=True)
    print(list(DBTaskResult.objects.values_list("task_path", "status", "return_value")))
    from django.core import mail
    print([m.to for m in mail.outbox])
