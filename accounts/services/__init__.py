"""Writes on accounts, one module per concern; each is one transaction with its audit row.

- `second_factor`: the optional TOTP second factor;
- `api_tokens`: personal API tokens and the API clients of other systems;
- `provisioning`: accounts created, deactivated and re-scoped by officials and administrators;
- `invitations`: invitation codes for institution staff.

Pages, API and tests call them as `accounts.services.<name>`, listed here.
"""

from .api_tokens import (
    PERSONAL_TOKEN_PREFIX,
    api_client_register,
    api_client_revoke,
    api_client_token_issued,
    api_client_token_revoked,
    personal_token_create,
    personal_token_revoke,
)
from .invitations import (
    INVITATION_ALPHABET,
    INVITATION_INVALID,
    INVITATION_LENGTH,
    format_invitation_code,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    normalise_invitation_code,
)
from .provisioning import (
    account_create,
    account_rescope,
    account_set_active,
    password_setup_path,
)
from .second_factor import (
    DEVICE_NAME,
    CodeCheck,
    totp_device_confirm,
    totp_device_for,
    totp_device_prepare,
    totp_device_remove,
    totp_device_reset,
    totp_device_verify,
)

__all__ = [
    "CodeCheck",
    "DEVICE_NAME",
    "totp_device_confirm",
    "totp_device_for",
    "totp_device_prepare",
    "totp_device_remove",
    "totp_device_reset",
    "totp_device_verify",
    "PERSONAL_TOKEN_PREFIX",
    "api_client_register",
    "api_client_revoke",
    "api_client_token_issued",
    "api_client_token_revoked",
    "personal_token_create",
    "personal_token_revoke",
    "account_create",
    "account_rescope",
    "account_set_active",
    "password_setup_path",
    "INVITATION_ALPHABET",
    "INVITATION_INVALID",
    "INVITATION_LENGTH",
    "format_invitation_code",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "normalise_invitation_code",
]
