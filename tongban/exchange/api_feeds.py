"""/api/v1/exchange/feeds: providers push changes to the resources they host.

A provider department's own system (authenticated by its API key, header X-Api-Key) sends up to
TONGBAN_EXCHANGE_FEED_MAX_ROWS upserts and deletions per call. The push is validated like an import
and applied all-or-nothing; a refusal is problem+json listing every bad row in `problems`.
"""

from typing import Any

from ninja import Field, Router, Schema

from tongban.exchange import services
from tongban.exchange.auth import SystemKeyAuth

router = Router(auth=SystemKeyAuth())


class FeedIn(Schema):
    rows: list[dict[str, Any]] = Field(
        default_factory=list,
        description="写入的记录，每条为以字段代码为键的对象，须含主键字段；已有主键的记录按所给字段合并更新",
        examples=[[{"id_number": "341902199005170011", "status": "已婚", "registered_on": "2024-05-20"}]],
    )
    deleted_keys: list[str] = Field(default_factory=list, description="要删除的记录的主键")


class FeedOut(Schema):
    inserted: int = Field(description="新增条数")
    updated: int = Field(description="有变化而更新的条数")
    unchanged: int = Field(description="内容未变、未改写的条数")
    deleted: int = Field(description="删除条数")


@router.post(
    "/{resource_code}",
    response=FeedOut,
    summary="提供部门推送增量数据",
    description="仅资源提供部门的接入系统可推送；全部记录通过校验才写入（全有或全无）。",
)
def feed_push(request, resource_code: str, payload: FeedIn):
    result = services.registry_feed_apply(
        system=request.exchange_system,
        resource_code=resource_code,
        rows=payload.rows,
        deleted_keys=payload.deleted_keys,
    )
    return result.__dict__
