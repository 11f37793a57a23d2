"""Input shapes of the catalogue pages: the catalogue filters and the import upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.exchange.models import DataResource


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("查找"), required=False, max_length=60)
    provider = forms.IntegerField(label=_("提供部门"), required=False, min_value=1)
    sharing = forms.ChoiceField(label=_("共享类型"), required=False, choices=[("", _("全部")), *DataResource.SHARING])
    served_by = forms.ChoiceField(
        label=_("提供方式"), required=False, choices=[("", _("全部")), *DataResource.SERVED_BY]
    )

    def values(self) -> dict:
        """The valid filters; a malformed one is ignored rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "provider": data.get("provider"),
            "sharing": data.get("sharing") or "",
            "served_by": data.get("served_by") or "",
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("数据文件"),
        help_text=_("CSV（UTF-8编码，可带BOM）或xlsx；第1行为标题行，写字段代码或字段名称。"),
    )
