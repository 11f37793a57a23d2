"""Forms of the staff pages: they check the shape of what was typed (numbers are numbers, a choice
is one of the choices); the services decide whether the act is allowed and say why not."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case, CaseSpecialProcedure

TEXTAREA = {"rows": 3}
NUMBER = forms.TextInput(attrs={"inputmode": "numeric", "size": 4})


class ActForm(forms.Form):
    """Every act carries the revision the clerk saw, so a case changed meanwhile is not acted on."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, case: Case, **kwargs):
        self.case = case
        kwargs.setdefault("initial", {})["revision"] = case.revision
        kwargs.setdefault("prefix", self.act)
        super().__init__(*args, **kwargs)


class AcceptForm(ActForm):
    act = "accept"
    opinion = forms.CharField(label=_("受理意见"), required=False, max_length=500)


class RefuseForm(ActForm):
    act = "refuse"
    reason = forms.CharField(label=_("不予受理理由"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    legal_basis = forms.CharField(label=_("法律依据"), required=False, max_length=300)


class CorrectionForm(ActForm):
    """一次性告知: every material to correct (ticked, each with its reason), other lines and a note."""

    act = "request_correction"
    other = forms.CharField(
        label=_("其他需补正事项"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("每行一项，格式：事项：原因"),
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    limit_days = forms.IntegerField(
        label=_("补正期限（工作日）"), required=False, min_value=1, max_value=60, widget=NUMBER
    )

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = list(materials)
        for material in self.materials:
            self.fields[f"material_{material.pk}"] = forms.BooleanField(label=material.name, required=False)
            self.fields[f"reason_{material.pk}"] = forms.CharField(label=_("原因"), required=False, max_length=200)

    def material_rows(self):
        return [(m, self[f"material_{m.pk}"], self[f"reason_{m.pk}"]) for m in self.materials]

    def lines(self) -> list[dict]:
        """The notice's lines: {"material_id", "name", "reason"} for the ticked materials and the
        free lines."""
        data = self.cleaned_data
        lines = [
            {"material_id": m.pk, "name": "", "reason": data.get(f"reason_{m.pk}", "")}
            for m in self.materials
            if data.get(f"material_{m.pk}")
        ]
        for row in data.get("other", "").splitlines():
            name, _sep, reason = row.replace("：", ":").partition(":")
            if row.strip():
                lines.append({"material_id": None, "name": name.strip(), "reason": reason.strip() or name.strip()})
        return lines


class ApproveStepForm(ActForm):
    act = "approve_step"
    opinion = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs=TEXTAREA))


class ReturnStepForm(ActForm):
    act = "return_step"
    to_step = forms.TypedChoiceField(label=_("退回至"), coerce=int)
    reason = forms.CharField(label=_("退回理由"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_step"].choices = [(s.order, s.name) for s in steps]


class SpecialStartForm(ActForm):
    act = "start_special"
    kind = forms.ChoiceField(label=_("程序"), choices=CaseSpecialProcedure.KINDS)
    limit_days = forms.IntegerField(
        label=_("时限（工作日）"),
        required=False,
        min_value=1,
        max_value=250,
        widget=NUMBER,
        help_text=_("办事指南已列的程序可不填"),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class SpecialEndForm(ActForm):
    act = "end_special"
    result = forms.CharField(label=_("结论"), required=False, max_length=200)


class DecideForm(ActForm):
    act = "decide"
    decision = forms.ChoiceField(label=_("审批决定"), choices=Case.DECISIONS, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("审批意见"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    owed_material = forms.CharField(label=_("容缺后补材料"), required=False, max_length=200)
    owed_days = forms.IntegerField(
        label=_("后补期限（工作日）"), required=False, min_value=1, max_value=120, widget=NUMBER
    )


class IssueForm(ActForm):
    """办结. When the result is an e-licence, its fields follow, prefilled from the case: what the
    officer sees is what the licence will say."""

    act = "issue_result"
    reference = forms.CharField(
        label=_("结果文号或证照标识"), required=False, max_length=120, help_text=_("不填则使用办件编号")
    )

    def __init__(self, *args, result_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.result_fields = list(result_fields)
        for spec in self.result_fields:
            self.fields[f"r_{spec.name}"] = _result_field(spec)
        if self.result_fields:
            del self.fields["reference"]  # the licence's identifier is the reference

    def result_data(self) -> dict:
        return {spec.name: self.cleaned_data.get(f"r_{spec.name}") for spec in self.result_fields}


def _result_field(spec) -> forms.Field:
    common = {"label": spec.label, "required": spec.required, "initial": spec.value}
    match spec.kind:
        case "date":
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case "integer":
            return forms.IntegerField(widget=NUMBER, **common)
        case "boolean":
            return forms.BooleanField(**{**common, "required": False})
        case _:
            return forms.CharField(max_length=300, **common)


class DeliverForm(ActForm):
    """送达 the way the applicant chose: only that way is offered once they have chosen."""

    act = "deliver"
    method = forms.ChoiceField(label=_("送达方式"), choices=Case.DELIVERIES, widget=forms.RadioSelect)
    carrier = forms.CharField(label=_("快递公司"), required=False, max_length=30)
    tracking_number = forms.CharField(label=_("运单号"), required=False, max_length=40)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        if case.delivery_choice:
            self.fields["method"].choices = [(case.delivery_choice, case.get_delivery_choice_display())]
            self.fields["method"].initial = case.delivery_choice
            if case.delivery_address:
                self.fields["method"].help_text = _("收件地址：%(address)s") % {"address": case.delivery_address}


class OwedReceiveForm(ActForm):
    act = "receive_owed"
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class RevokeForm(ActForm):
    act = "revoke"
    legal_basis = forms.CharField(label=_("法律依据"), required=False, max_length=300)
    reason = forms.CharField(label=_("撤销理由"), required=False, widget=forms.Textarea(attrs=TEXTAREA))


class WithdrawForm(ActForm):
    act = "withdraw"
    reason = forms.CharField(
        label=_("撤回原因"), required=False, max_length=200, help_text=_("申请人在窗口要求撤回时填写")
    )


ACT_FORMS: dict[str, type[ActForm]] = {
    form.act: form
    for form in (
        AcceptForm,
        RefuseForm,
        CorrectionForm,
        ApproveStepForm,
        ReturnStepForm,
        SpecialStartForm,
        SpecialEndForm,
        DecideForm,
        IssueForm,
        DeliverForm,
        OwedReceiveForm,
        RevokeForm,
        WithdrawForm,
    )
}


# ---------------------------------------------------------------- window and agent filing


class ApplicantLookupForm(forms.Form):
    who = forms.CharField(
        label=_("申请人证件号码"),
        max_length=18,
        min_length=18,
        help_text=_("完整的18位公民身份号码或统一社会信用代码"),
    )

    def clean_who(self) -> str:
        return self.cleaned_data["who"].strip().upper()


class DraftStartForm(forms.Form):
    person_id = forms.IntegerField(widget=forms.HiddenInput)
    legal_person_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    item_id = forms.IntegerField(widget=forms.HiddenInput)


class SmsCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("短信验证码"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("验证码是6位数字。")},
        help_text=_("请申请人念出收到的6位验证码"),
    )


class SignatureForm(forms.Form):
    signature = forms.FileField(label=_("申请人签名（拍照或扫描，PNG/JPG）"))


class MaterialUploadForm(forms.Form):
    material_id = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(label=_("扫描件"))


def answers_from_post(specs, data) -> dict:
    """A generic form renderer's answers: one input per field; checkboxes for yes/no and
    multi-choice; a table as JSON, one row per line. Empty answers are kept empty (saved drafts
    forget them)."""
    answers = {}
    for spec in specs:
        name = f"f_{spec.key}"
        if spec.kind == "boolean":
            answers[spec.key] = data.get(name) == "on"
        elif spec.kind == "multichoice":
            answers[spec.key] = data.getlist(name)
        elif spec.kind == "table":
            answers[spec.key] = _table_rows(data.get(name, ""))
        elif spec.kind == "address":
            answers[spec.key] = {"region": data.get(f"{name}_region", ""), "detail": data.get(f"{name}_detail", "")}
        else:
            answers[spec.key] = data.get(name, "").strip()
    return answers


def _table_rows(text: str) -> list | str:
    """One JSON object per line; anything else is handed on as typed, for the form engine to
    refuse with its own message."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            return text
        if not isinstance(row, dict):
            return text
        rows.append(row)
    return rows
