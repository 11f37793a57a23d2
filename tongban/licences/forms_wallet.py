"""The holder's authorisation form: it checks the shape of what was typed (a date is a date, a
department one of the list); wallet.licence_authorise decides whether the authorisation may be made
and says why not."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.licences import wallet

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DEFAULT_DAYS = 30  # a month: enough for a case to be handled, short enough to lapse unattended


class AuthorisationForm(forms.Form):
    department_id = forms.TypedChoiceField(
        label=_("被授权部门"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("该部门的工作人员均可查看和下载本证照"),
    )
    case_number = forms.CharField(
        label=_("或：办件编号"),
        max_length=40,
        required=False,
        help_text=_("经办该办件的工作人员可查看和下载本证照；部门和办件编号二者选一"),
    )
    purpose = forms.CharField(
        label=_("用途"),
        max_length=200,
        error_messages={"required": _("请写明用途。")},
        help_text=_("如“办理食品经营许可”"),
    )
    valid_until = forms.DateField(
        label=_("授权有效期至"), widget=DATE, error_messages={"required": _("请选择授权有效期至哪一天。")}
    )

    def __init__(self, *args, departments: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department_id"].choices = [("", _("不授权部门（填写办件编号）")), *departments]
        day = wallet.today()
        self.fields["valid_until"].widget.attrs.update(
            {"min": day.isoformat(), "max": wallet.latest_until(day).isoformat()}
        )
        self.fields["valid_until"].help_text = _("最长一年，可随时撤回")
        self.fields["valid_until"].initial = day + dt.timedelta(days=DEFAULT_DAYS)
