"""/api/v1/exchange/feeds: providers push changes to the resources they host."""

from ninja import Router

router = Router()
