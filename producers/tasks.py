"""A producer's catalogue fetched from another platform's DFC API, in the background: the
fetch may take seconds, and the other platform may not answer (DESIGN.md §13)."""

from celery import shared_task

from core.models import DataImport, TaskRun, User
from core.tasks import task_enqueue, tracked

from . import dfc, imports
from .models import Producer


@shared_task(name="producers.dfc_import", acks_late=True)
@tracked
def dfc_import_task(
    *,
    producer_id: int,
    url: str,
    token: str,
    enterprise: str | None,
    dry_run: bool,
    catalogue_import_id: int | None = None,
    progress,
) -> dict:
    producer = Producer.objects.get(pk=producer_id)
    content = dfc.document_fetch(url, token)
    progress(30)
    items, refused = dfc.document_items(content, enterprise=enterprise or dfc.url_enterprise(url))
    progress(70)
    result = imports.catalogue_import(
        producer=producer, items=items, refused=refused, dry_run=dry_run
    )
    if catalogue_import_id is not None:  # prepared on the screen: kept, to be confirmed
        DataImport.objects.filter(pk=catalogue_import_id).update(content=content, preview=result)
    return result


def dfc_import_start(
    *,
    producer: Producer,
    url: str,
    token: str = "",
    enterprise: str | None = None,
    dry_run: bool = True,
    user: User,
    catalogue_import: DataImport | None = None,
) -> TaskRun:
    return task_enqueue(
        task=dfc_import_task,
        name="dfc_import",
        user=user,
        producer_id=producer.pk,
        url=url,
        token=token,
        enterprise=enterprise,
        dry_run=dry_run,
        catalogue_import_id=catalogue_import.pk if catalogue_import is not None else None,
    )
