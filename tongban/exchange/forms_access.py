"""Forms of the access pages: they check the shape of what was typed (a date is a date, a field is
one of the resource's); the services decide whether the act is allowed and say why not."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.exchange.access import years_later
from tongban.exchange.models import AccessRequest, DataResource, ResourceField

TEXTAREA = {"rows": 3}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = forms.NumberInput(attrs={"inputmode": "numeric", "min": 1})


def _field_label(field: ResourceField) -> str:
    label = f"{field.label}（{field.name}）"
    return f"{label} · {field.get_sensitivity_display()}" if field.sensitivity != ResourceField.PUBLIC else label


class RequestForm(forms.Form):
    """A request for fields of one resource; the field boxes come from the chosen resource."""

    service_fields = {"fields": "wanted", "resource_code": "resource", "system_id": "system"}

    resource = forms.ChoiceField(label=_("数据资源"))
    wanted = forms.MultipleChoiceField(label=_("申请字段"), widget=forms.CheckboxSelectMultiple, required=False)
    purpose = forms.CharField(
        label=_("用途"),
        max_length=300,
        widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": _("请填写用途。")},
        help_text=_("写明办理哪类业务、为何需要这些字段"),
    )
    legal_basis = forms.CharField(
        label=_("法律依据"), max_length=300, error_messages={"required": _("请填写法律依据。")}
    )
    valid_from = forms.DateField(label=_("使用期限自"), widget=DATE)
    valid_until = forms.DateField(label=_("使用期限至"), widget=DATE, help_text=_("最长3年，期满可重新申请"))
    daily_volume = forms.IntegerField(label=_("预计日调用量"), min_value=1, widget=NUMBER)
    system = forms.ChoiceField(
        label=_("限定接入系统"),
        required=False,
        help_text=_("留空则授权本部门工作人员及其全部接入系统使用"),
    )

    def __init__(self, *args, resources, resource: DataResource | None, systems, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource_obj = resource
        self.fields["resource"].choices = [("", _("请选择"))] + [
            (r.code, f"{r.code} {r.name}（{r.provider.name}，{r.get_sharing_display()}）") for r in resources
        ]
        self.fields["wanted"].choices = (
            [(f.name, _field_label(f)) for f in resource.fields.all()] if resource is not None else []
        )
        self.fields["system"].choices = [("", _("不限定"))] + [(str(s.pk), s.name) for s in systems]
        today = timezone.localdate()
        self.fields["valid_from"].initial = today
        self.fields["valid_until"].initial = years_later(today, 1) - dt.timedelta(days=1)
        self.fields["daily_volume"].initial = 100


class ApproveForm(forms.Form):
    """Approve all requested fields or fewer; choose sensitive fields to give in full; cap calls."""

    service_fields = {"fields": "approved", "unmasked_fields": "unmasked"}

    approved = forms.MultipleChoiceField(label=_("批准字段"), widget=forms.CheckboxSelectMultiple, required=False)
    unmasked = forms.MultipleChoiceField(
        label=_("明文提供的敏感字段"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("未勾选的敏感字段一律脱敏提供；每次明文读取都会记录"),
    )
    daily_quota = forms.IntegerField(label=_("日调用上限"), min_value=1, required=False, widget=NUMBER)
    reason = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("批准的字段少于申请字段时必填"),
    )

    def __init__(self, *args, request: AccessRequest, labels: dict[str, ResourceField], **kwargs):
        kwargs.setdefault("prefix", "approve")
        super().__init__(*args, **kwargs)
        requested = [labels[name] for name in request.fields if name in labels]
        self.fields["approved"].choices = [(f.name, _field_label(f)) for f in requested]
        self.fields["approved"].initial = list(request.fields)
        self.fields["unmasked"].choices = [
            (f.name, _field_label(f)) for f in requested if f.sensitivity == ResourceField.SENSITIVE
        ]
        self.fields["daily_quota"].initial = request.daily_volume


class ReasonForm(forms.Form):
    """Refusing a request, withdrawing it, revoking a grant: each says why."""

    reason = forms.CharField(label=_("理由"), required=False, max_length=300, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label


class SystemForm(forms.Form):
    name = forms.CharField(label=_("系统名称"), max_length=100)


class RotateForm(forms.Form):
    grace_days = forms.IntegerField(
        label=_("旧密钥过渡期（天）"),
        min_value=0,
        max_value=30,
        initial=7,
        widget=NUMBER,
        help_text=_("过渡期内新旧密钥都可使用；填0则旧密钥立即失效"),
    )
