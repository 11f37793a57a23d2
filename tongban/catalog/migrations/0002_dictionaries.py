from django.db import migrations

ITEM_TYPES = [  # code, name, on application (依申请)
    ("XK", "行政许可", True), ("CF", "行政处罚", False), ("QZ", "行政强制", False), ("ZS", "行政征收", False),
    ("JF", "行政给付", True), ("JC", "行政检查", False), ("QR", "行政确认", True), ("JL", "行政奖励", True),
    ("CJ", "行政裁决", True), ("QT", "其他行政权力", True), ("GG", "公共服务", True),
]

THEMES = [  # code, name, audience
    ("p-birth", "生育收养", "person"), ("p-hukou", "户籍办理", "person"), ("p-social", "社会保障", "person"),
    ("p-job", "就业创业", "person"), ("p-housing", "住房保障", "person"), ("p-marriage", "婚姻登记", "person"),
    ("p-edu", "教育科研", "person"), ("p-health", "医疗卫生", "person"), ("p-death", "死亡殡葬", "person"),
    ("p-elderly", "养老服务", "person"), ("p-disability", "残疾人服务", "person"), ("p-transport", "交通出行", "person"),
    ("p-property", "不动产登记", "person"),
    ("l-setup", "设立变更", "legal"), ("l-permit", "准营准办", "legal"), ("l-tax", "税收财务", "legal"),
    ("l-build", "工程建设", "legal"), ("l-annual", "年检年审", "legal"), ("l-close", "注销清算", "legal"),
    ("l-hr", "人力资源", "legal"), ("l-property", "不动产登记", "legal"),
]


def add_dictionaries(apps, schema_editor):
    ItemType = apps.get_model("catalog", "ItemType")
    Theme = apps.get_model("catalog", "Theme")
    for order, (code, name, on_application) in enumerate(ITEM_TYPES):
        ItemType.objects.update_or_create(code=code, defaults={"name": name, "on_application": on_application,
                                                               "order": order})
    for order, (code, name, audience) in enumerate(THEMES):
        Theme.objects.update_or_create(code=code, defaults={"name": name, "audience": audience, "order": order})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(add_dictionaries, migrations.RunPython.noop)]
