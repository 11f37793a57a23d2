"""The delivery choice as the review page and the window's filing page post it (fields
`delivery` and `delivery_address`): one reading of the form for both."""

from tongban.cases import services
from tongban.cases.models import Case


def delivery_keep(request, case: Case) -> None:
    """Keep the way to receive the result the page posted, if it posted one (services check it)."""
    if "delivery" in request.POST:
        services.case_delivery_choose(
            actor=request.user,
            case_id=case.pk,
            method=request.POST["delivery"],
            address=request.POST.get("delivery_address", ""),
        )
