from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core.forms import clean_with
from tongban.core.identifiers import parse_id_number, parse_uscc


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("账号"),
        max_length=150,
        help_text=_("身份证号码、手机号码或用户名"),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("动态口令"),
        max_length=20,
        help_text=_("验证器应用中显示的6位数字"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "class": "otp"}
        ),
    )


class SignupForm(forms.Form):
    real_name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        help_text=_("与身份证上的姓名一致"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("公民身份号码"),
        min_length=18,
        max_length=18,
        help_text=_("18位，最后一位可以是X"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        min_length=11,
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("设置密码"),
        help_text=_("至少8位，含大写字母、小写字母、数字、符号中的三类"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("再次输入密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    agree = forms.BooleanField(label=_("我已阅读并同意《个人信息保护告知书》，同意平台为办理政务服务处理我的个人信息"))

    def clean_id_number(self):
        return clean_with(parse_id_number, self.cleaned_data["id_number"])

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致。"))
        return data


class BindLegalPersonForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), min_length=18, max_length=18)
    name = forms.CharField(label=_("企业（单位）名称"), max_length=120, help_text=_("与营业执照上的名称完全一致"))

    def clean_uscc(self):
        return clean_with(parse_uscc, self.cleaned_data["uscc"])
