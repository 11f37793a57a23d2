from django.db import migrations, models

# 三员分立: the administrator post becomes the system administrator's, and the security officer's
# and the audit officer's posts join it. These five posts need a second factor at log-in.
ROLE_POSTS = [("admin", "系统管理"), ("security", "安全管理"), ("audit", "安全审计")]
SECOND_FACTOR = ["admin", "security", "audit", "supervise", "data"]


def add_roles(apps, schema_editor):
    Post = apps.get_model("accounts", "Post")
    admin_order = Post.objects.get(code="admin").order
    for offset, (code, name) in enumerate(ROLE_POSTS):
        Post.objects.update_or_create(code=code, defaults={"name": name, "order": admin_order + offset})
    Post.objects.filter(code__in=SECOND_FACTOR).update(second_factor=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_posts")]
    operations = [
        migrations.AddField(
            model_name="post",
            name="second_factor",
            field=models.BooleanField(default=False, verbose_name="登录须动态口令"),
        ),
        migrations.RunPython(add_roles, migrations.RunPython.noop),
    ]
