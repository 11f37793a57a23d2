from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.core.errors import TongbanError
from tongban.core.field_crypto import keyring
from tongban.core.field_rotation import field_key_rotation_start
from tongban.core.models import FieldKeyRotation


class Command(BaseCommand):
    help = (
        "个人数据加密密钥：rotate 生成新密钥并立即启用，再将全部加密数据用新密钥重新加密（显示进度）；"
        "status 显示当前密钥与最近的轮换。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rotate", "status"], help="rotate：轮换；status：状态")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "rotate":
            try:
                rotation = field_key_rotation_start(background=False)
            except TongbanError as error:
                self.stderr.write(error.message)
                raise SystemExit(1) from None
            rotation.refresh_from_db()
            self.stdout.write(
                f"新密钥 {rotation.key_id} 已启用；已重新加密 {rotation.done}/{rotation.total} 行"
                f"（{rotation.get_status_display()}）。"
            )
            return
        self.stdout.write(f"当前启用的密钥：{keyring().active}（密钥文件中共 {len(keyring().keys)} 把）。")
        for rotation in FieldKeyRotation.objects.all()[:5]:
            self.stdout.write(
                f"{rotation.created_at:%Y-%m-%d %H:%M} {rotation.key_id} {rotation.get_status_display()} "
                f"{rotation.done}/{rotation.total}（{rotation.percent}%） {rotation.error}"
            )
