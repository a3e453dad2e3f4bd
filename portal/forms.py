"""What every form of the portal shares: date and time fields with ISO values, and service errors on forms.

Dates and times: browsers accept only ISO values in these inputs (`2026-12-01`, `08:30`, `2026-12-01T08:30`) and always
submit ISO. Django's own widgets render the active language's format instead: in Simplified Chinese a
date becomes `2026/12/01`, which the browser rejects, so the field shows empty and submitting it says
the field is required. Every form of the portal declares its dates and times with these fields (and model
forms derive from `ModelForm` below), so no input can render a localised value.

Service errors: pages call a service with the form's `cleaned_data` and put what it refuses back on the
form with `add_service_errors` (a `portal.exceptions.Conflict` is a ValidationError too, shown the same way);
`form_write` does both for the usual page: a valid form's data to the service, its refusal onto the form.
A page that redirects after its action instead (a button on a detail page) uses `flash_action`: the form's
errors and the service's refusal become messages, each named by its field's label.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class _ISOInput:
    """`min` and `max` given as dates or times are written in ISO too."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        for bound in ("min", "max"):
            if isinstance(widget_attrs.get(bound), datetime.date | datetime.time):
                widget_attrs[bound] = self.format_value(widget_attrs[bound])
        return context


class DateInput(_ISOInput, forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATE)


class TimeInput(_ISOInput, forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_TIME)


class DateTimeInput(_ISOInput, forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATETIME)


class DateField(forms.DateField):
    """A date typed in ISO (what browsers send) in every language; the language's formats still parse."""

    widget = DateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [ISO_DATE, *forms.DateField.input_formats])
        super().__init__(**kwargs)


class TimeField(forms.TimeField):
    widget = TimeInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [ISO_TIME, "%H:%M:%S", *forms.TimeField.input_formats])
        super().__init__(**kwargs)


class DateTimeField(forms.DateTimeField):
    """`2026-12-01T08:30` in the current time zone (Django parses ISO date-times before the formats)."""

    widget = DateTimeInput


FORM_FIELDS = {models.DateTimeField: DateTimeField, models.DateField: DateField, models.TimeField: TimeField}


def formfield(db_field: models.Field, **kwargs):
    """Model forms' date, time and date-time fields are the project's ones (Meta.formfield_callback)."""
    for model_field, form_field in FORM_FIELDS.items():  # DateTimeField first: it is a DateField
        if isinstance(db_field, model_field):
            kwargs.setdefault("form_class", form_field)
            kwargs.setdefault("widget", form_field.widget)  # Meta.widgets still win
            break
    return db_field.formfield(**kwargs)


class ModelForm(forms.ModelForm):
    """The base of every model form: dates and times with the ISO inputs above. A subclass's Meta
    derives from this one (`class Meta(ModelForm.Meta)`), which carries the callback."""

    class Meta:
        formfield_callback = formfield


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Puts a service's ValidationError (or Conflict) on the form that asked for the write: each message on
    the field it names when the form has that field, the others above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.error_list)


def flash_service_errors(request, exc: ValidationError) -> None:
    """A service's refusal as error messages, for a page that redirects instead of showing a form."""
    for message in exc.messages:
        messages.error(request, message)


def flash_form_errors(request, form: forms.BaseForm) -> None:
    """A form's errors as messages, each named by its field's label, for a page that redirects."""
    for field, errors in form.errors.items():
        label = capfirst(form.fields[field].label) if field in form.fields and form.fields[field].label else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def flash_action(request, call, success="", *, form: forms.BaseForm | None = None) -> bool:
    """The shape of a page action that redirects afterwards. With a form, it must be valid and the service is
    called as `call(form.cleaned_data)`; without one, as `call()`. An invalid form or the service's refusal
    become error messages; an acceptance the success message (`success` may be a function of what the service
    returned, for messages that name it). True when the service accepted."""
    if form is not None and not form.is_valid():
        flash_form_errors(request, form)
        return False
    try:
        result = call(form.cleaned_data) if form is not None else call()
    except ValidationError as exc:
        flash_service_errors(request, exc)
        return False
    message = success(result) if callable(success) else success
    if message:
        messages.success(request, message)
    return True


def form_write(form: forms.BaseForm, service, /, **kwargs) -> bool:
    """Calls `service(**kwargs, **form.cleaned_data)` when the form is valid (an unbound form is not). True
    when the service accepted; what it refused is on the form (`add_service_errors`) and the page shows it."""
    if not form.is_valid():
        return False
    try:
        service(**kwargs, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True
