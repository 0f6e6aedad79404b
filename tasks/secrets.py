"""The Amion access code: a Prefect Secret block `amion-code-<hospital>`, else SCHEDCU_AMION_CODE.

The code is looked up inside the task that logs in, so it is never a flow or task parameter, and
it stays a `SecretStr` until the moment it is typed into Amion's password box.
"""

from __future__ import annotations

import re

from prefect.blocks.system import Secret
from prefect.exceptions import ObjectNotFound
from pydantic import SecretStr

from schedcu.config import Settings
from schedcu.errors import AmionCodeMissing


def secret_block_name(hospital: str) -> str:
    """`amion-code-<hospital>`, in the lowercase-and-dashes form block names allow."""
    slug = re.sub(r"[^a-z0-9-]+", "-", hospital.casefold()).strip("-")
    return f"amion-code-{slug}"


def amion_access_code(hospital: str, settings: Settings) -> SecretStr:
    """The hospital's Amion code from its Secret block, else from the settings (environment)."""
    name = secret_block_name(hospital)
    try:
        return SecretStr(str(Secret.load(name).get()))
    except (ValueError, ObjectNotFound):
        pass  # no such block: fall back to the environment
    if settings.amion_code is not None and settings.amion_code.get_secret_value():
        return settings.amion_code
    raise AmionCodeMissing(
        f"There is no Amion access code for {hospital}: create the Prefect Secret block "
        f"'{name}' or set SCHEDCU_AMION_CODE."
    )
