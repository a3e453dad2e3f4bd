from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
