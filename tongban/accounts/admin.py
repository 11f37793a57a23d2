from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from tongban.accounts import roles, selectors
from tongban.accounts.models import LegalPerson, Mandate, Person, Post, Staff, User
from tongban.core.admin_mixins import AuditedAdmin


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    """Personal data stays masked here too; the full value is read on the workbench, audited."""

    list_display = ["real_name", "masked_id_number", "sex", "birth_date", "masked_phone", "region"]
    list_filter = ["sex"]
    search_fields = ["=id_number", "=phone", "real_name"]
    list_select_related = ["region"]
    readonly_fields = ["masked_id_number", "birth_date", "sex", "masked_phone", "created_at"]
    fields = ["real_name", "masked_id_number", "birth_date", "sex", "masked_phone", "region", "created_at"]
    autocomplete_fields = ["region"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # persons come from real-name registration and the population base

    @admin.display(description="公民身份号码")
    def masked_id_number(self, person):
        return person.masked_id_number

    @admin.display(description="手机号码")
    def masked_phone(self, person):
        return person.masked_phone


@admin.register(LegalPerson)
class LegalPersonAdmin(AuditedAdmin):
    list_display = ["name", "uscc", "kind", "region", "established_on"]
    list_filter = ["kind"]
    search_fields = ["=uscc", "name"]
    list_select_related = ["region"]
    raw_id_fields = ["legal_representative"]
    autocomplete_fields = ["region"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # legal persons come from the legal-entity base


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ["person", "legal_person", "role", "status", "requested_at", "decided_at", "revoked_at"]
    list_filter = ["role", "status"]
    search_fields = ["=legal_person__uscc", "legal_person__name"]
    list_select_related = ["person", "legal_person"]
    readonly_fields = ["person", "legal_person", "role", "status", "requested_at", "decided_at", "revoked_at"]

    def has_add_permission(self, request):
        return False  # mandates are requested and decided by the people concerned, on the portal

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(AuditedAdmin):
    """Which posts need a second factor at log-in is the security officer's to set (accounts.roles)."""

    list_display = ["code", "name", "order", "second_factor"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StaffInlineForm(forms.ModelForm):
    """The posts a staff member holds, changed only as the separated roles allow (accounts.roles)."""

    request = None  # set per request by StaffInline.get_formset

    class Meta:
        model = Staff
        fields = [
            "department",
            "posts",
            "scope_region",
            "scope_all_departments",
            "scope_departments",
            "hall",
            "agency_point",
        ]

    def clean_posts(self):
        posts = self.cleaned_data.get("posts")
        before = set(self.instance.posts.values_list("code", flat=True)) if self.instance.pk else set()
        after = {post.code for post in posts or ()}
        actor = self.request.user
        refusal = None
        if not actor.is_superuser:  # a developer's machine only: no superuser logs in in production
            refusal = roles.posts_change_refusal(
                actor_role=selectors.separated_role(actor),
                actor_is_self=self.instance.user_id == actor.pk,
                before=before,
                after=after,
            )
        if refusal:
            raise forms.ValidationError(refusal)
        return posts


class StaffInline(admin.StackedInline):
    model = Staff
    form = StaffInlineForm
    can_delete = False
    filter_horizontal = ["posts", "scope_departments"]
    autocomplete_fields = ["department", "scope_region"]
    raw_id_fields = ["hall", "agency_point"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type("StaffInlineFormForRequest", (formset.form,), {"request": request})
        return formset


# Django's permission fields are left out: the separated roles' matrix is the one source of admin
# permissions (accounts.roles), and whether an account may enter the admin follows its posts.
USER_FIELDSETS = [
    (None, {"fields": ["username", "password"]}),
    ("个人信息", {"fields": ["first_name", "last_name", "email"]}),
    ("状态", {"fields": ["is_active", "is_staff", "last_login", "date_joined"]}),
    ("通办", {"fields": ["kind", "person", "failed_logins", "locked_until"]}),
]


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ["username", "display_name", "kind", "is_active", "locked_until", "last_login"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "first_name"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    fieldsets = USER_FIELDSETS
    readonly_fields = ["is_staff", "last_login", "date_joined"]
    inlines = [StaffInline]

    @admin.display(description="姓名")
    def display_name(self, user):
        return user.display_name

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        enters_admin = user.is_superuser or selectors.separated_role(User.objects.get(pk=user.pk)) is not None
        if user.is_staff != enters_admin:
            User.objects.filter(pk=user.pk).update(is_staff=enters_admin)


admin.site.unregister(Group)  # groups grant nothing here (accounts.roles)
