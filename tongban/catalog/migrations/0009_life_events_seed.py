from django.db import migrations

LIFE_EVENTS = [  # code, name, audience, theme codes
    ("birth", "生育落户", "person", ["p-birth", "p-hukou"]),
    ("school", "上学读书", "person", ["p-edu"]),
    ("work", "就业创业", "person", ["p-job", "p-social"]),
    ("marriage", "婚姻家庭", "person", ["p-marriage"]),
    ("home", "买房安家", "person", ["p-housing", "p-property"]),
    ("health", "看病就医", "person", ["p-health"]),
    ("travel", "交通出行", "person", ["p-transport"]),
    ("disability", "残疾帮扶", "person", ["p-disability"]),
    ("retire", "退休养老", "person", ["p-elderly", "p-social"]),
    ("death", "身后事", "person", ["p-death"]),
    ("open", "开办企业", "legal", ["l-setup"]),
    ("operate", "经营许可", "legal", ["l-permit"]),
    ("staff", "用工社保", "legal", ["l-hr"]),
    ("tax", "纳税缴费", "legal", ["l-tax", "l-annual"]),
    ("build", "工程建设", "legal", ["l-build", "l-property"]),
    ("close", "注销退出", "legal", ["l-close"]),
]


def add_life_events(apps, schema_editor):
    LifeEvent = apps.get_model("catalog", "LifeEvent")
    for order, (code, name, audience, themes) in enumerate(LIFE_EVENTS):
        event, _ = LifeEvent.objects.update_or_create(code=code, defaults={"name": name, "audience": audience,
                                                                           "order": order})
        event.themes.set(themes)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_life_events")]
    operations = [migrations.RunPython(add_life_events, migrations.RunPython.noop)]
