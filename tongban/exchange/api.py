"""/api/v1/exchange: the governed query interface, providers' feeds and access requests."""

from ninja import Router

from tongban.exchange.api_access import router as access_router
from tongban.exchange.api_feeds import router as feeds_router

router = Router()
router.add_router("/feeds", feeds_router)
router.add_router("/access", access_router)
