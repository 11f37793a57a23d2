"""/api/v1/exchange/access: consumer departments request access and read their grants."""

from ninja import Router

router = Router()
