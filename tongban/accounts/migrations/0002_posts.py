from django.db import migrations

POSTS = [
    ("accept", "受理"),
    ("review", "审核"),
    ("approve", "审批"),
    ("issue", "办结"),
    ("deliver", "送达"),
    ("window", "综合窗口"),
    ("agent", "代办"),
    ("supervise", "监察"),
    ("data", "数据"),
    ("grid", "网格"),
    ("hotline", "坐席"),
    ("admin", "管理"),
]


def add_posts(apps, schema_editor):
    Post = apps.get_model("accounts", "Post")
    for order, (code, name) in enumerate(POSTS):
        Post.objects.update_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(add_posts, migrations.RunPython.noop)]
