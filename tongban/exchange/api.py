"""/api/v1/exchange: the governed query interface and the providers' feeds."""

from ninja import Router

router = Router()
