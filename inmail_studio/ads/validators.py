"""Model and form validators built on `limits`, with messages that say what to change."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible

from . import limits, macros


@deconstructible
class PlainLimit:
    """Refuse plain text over a named limit of `limits` (named, so migrations can record it)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, value: str) -> None:
        limit = next(item for item in limits.ALL if item.key == self.key)
        measure = limits.measure_plain(limit, value)
        if not measure.ok:
            raise ValidationError(measure.message, code=f"{limit.key}_too_long")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainLimit) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)


def plain_limit(limit: limits.Limit) -> PlainLimit:
    return PlainLimit(limit.key)


def validate_body(value: str) -> None:
    errors = limits.body_errors(value)
    in_addresses = macros.in_addresses(value)
    if in_addresses:
        errors.append(macros.address_message(in_addresses))
    if errors:
        raise ValidationError(errors)


def validate_landing_page_url(value: str) -> None:
    if not value:
        return
    plain_limit(limits.LANDING_PAGE_URL)(value)
    scheme = urlsplit(value).scheme.lower()
    if scheme not in limits.LANDING_PAGE_SCHEMES:
        raise ValidationError(
            "Landing page URL must start with http:// or https://.", code="landing_page_scheme"
        )
    try:
        URLValidator(schemes=list(limits.LANDING_PAGE_SCHEMES))(value)
    except ValidationError:
        raise ValidationError(
            "Landing page URL is not a valid web address (for example https://example.com/offer).",
            code="landing_page_invalid",
        ) from None


@deconstructible
class UrnPrefix:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, value: str) -> None:
        if value and (not value.startswith(self.prefix) or len(value) <= len(self.prefix)):
            raise ValidationError(f"Expected a LinkedIn URN like {self.prefix}123.", code="urn")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UrnPrefix) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


def validate_urn(prefix: str) -> UrnPrefix:
    return UrnPrefix(prefix)


validate_subject = plain_limit(limits.SUBJECT)
validate_ad_name = plain_limit(limits.AD_NAME)
validate_cta_text = plain_limit(limits.CTA_TEXT)
validate_footer = plain_limit(limits.FOOTER)
validate_lead_form_urn = validate_urn("urn:li:adForm:")
validate_ad_account_urn = validate_urn("urn:li:sponsoredAccount:")


def validate_sender_urn(value: str) -> None:
    if not (value.startswith("urn:li:person:") or value.startswith("urn:li:organization:")):
        raise ValidationError(
            "A sender is a urn:li:person:… or urn:li:organization:… URN.", code="sender_urn"
        )
