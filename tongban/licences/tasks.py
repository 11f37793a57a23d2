from celery import shared_task

from tongban.licences.services import licence_expiry_sweep


@shared_task(name="tongban.licences.tasks.expiry_sweep")
def expiry_sweep() -> dict:
    return licence_expiry_sweep().__dict__
