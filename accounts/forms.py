from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import User


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is wrong. After several failed attempts the account "
                           "is locked for a while."),
    }


class TOTPCodeForm(forms.Form):
    """One field: the 6-digit code an authenticator app shows. Spaces (as some apps show it) are ignored."""

    code = forms.CharField(
        label=_("Six-digit code"), max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "pattern": "[0-9 ]*", "autofocus": True}),
        help_text=_("The code currently shown by your authenticator app."),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError(_("Enter the six digits shown by your authenticator app."))
        return code


def _scope_choices():
    from .scopes import API_AREAS, READ, WRITE
    from .tokens import AREA_LABELS

    choices = []
    for area in API_AREAS:
        label = AREA_LABELS[area]
        choices.append((f"{area}:{READ}", format_lazy(_("Read {label} ({scope})"), label=label,
                                                       scope=f"{area}:{READ}")))
        choices.append((f"{area}:{WRITE}", format_lazy(_("Read and write {label} ({scope})"), label=label,
                                                        scope=f"{area}:{WRITE}")))
    return choices


class ScopeRowsMixin:
    """The scopes field as rows of (area, its label, read option, write option): a compact table."""

    def scope_rows(self):
        from .scopes import API_AREAS
        from .tokens import AREA_LABELS

        options = list(self["scopes"])
        return [(area, AREA_LABELS[area], options[2 * i], options[2 * i + 1]) for i, area in enumerate(API_AREAS)]


class PersonalTokenForm(ScopeRowsMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("token", "Name"), max_length=80,
                           help_text=_("What the token is for, e.g. “monthly export”."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), widget=forms.CheckboxSelectMultiple,
                                       choices=_scope_choices,
                                       help_text=_("What the token may do, within your own role and area."))
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, initial=90,
                              help_text=_("The token stops working after this many days."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].max_value = settings.PERSONAL_TOKEN_MAX_DAYS
        self.fields["days"].validators.append(MaxValueValidator(settings.PERSONAL_TOKEN_MAX_DAYS))
        self.fields["days"].widget.attrs["max"] = settings.PERSONAL_TOKEN_MAX_DAYS


class ApiClientForm(ScopeRowsMixin, forms.Form):
    name = forms.CharField(label=_("System"), max_length=100, help_text=_(
        "The system that will use the credentials, e.g. “Shanxi health information platform”."))
    role = forms.ChoiceField(label=_("Acts as"), choices=lambda: User.Role.choices, initial=User.Role.OFFICIAL)
    region = forms.CharField(label=_("Region code"), max_length=9, required=False,
                             help_text=_("For an official's role: the division code of its area, e.g. 14 or 1401."))
    institution = forms.IntegerField(label=_("Institution number"), required=False, min_value=1,
                                     help_text=_("For institution staff: the institution's number (optional)."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), widget=forms.CheckboxSelectMultiple,
                                       choices=_scope_choices)


class AccountForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    region = forms.ChoiceField(label=_("Works for"), required=False,
                               help_text=_("The region whose official this account is."))
    institution = forms.ChoiceField(label=_("Institution"), required=False,
                                    help_text=_("For staff of an institution of your county."))

    def __init__(self, *args, regions=(), institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—"), *[(r.code, f"{r.name} ({r.code})") for r in regions]]
        self.fields["institution"].choices = [("", "—"), *[(str(i.pk), i.name) for i in institutions]]
        if not institutions:
            del self.fields["institution"]
        if not regions:
            del self.fields["region"]

    def clean(self):
        data = super().clean()
        if not data.get("region") and not data.get("institution"):
            raise forms.ValidationError(_("Choose the region (for an official) or the institution (for staff)."))
        return data


class RescopeForm(forms.Form):
    region = forms.ChoiceField(label=_("Works for"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, f"{r.name} ({r.code})") for r in regions]


class InvitationForm(forms.Form):
    institution = forms.ChoiceField(label=_("Institution"), required=False,
                                    help_text=_("Leave empty for someone who will register a new institution."))
    note = forms.CharField(label=_("For whom"), max_length=100, required=False,
                           help_text=_("A name or note to recognise the invitation by."))
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=90, initial=14)

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [("", "—"), *[(str(i.pk), i.name) for i in institutions]]


class InvitationAcceptForm(forms.Form):
    code = forms.CharField(label=_("Invitation code"), max_length=40,
                           help_text=_("The code the county health commission gave you, e.g. ABCDE-FGHJK-…"))
    username = forms.CharField(label=_("Username"), max_length=150,
                               help_text=_("Letters, digits and @ . + - _ only; you sign in with it."))
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data
