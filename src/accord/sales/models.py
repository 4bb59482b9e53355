"""Pipelines, stages, deals, stage history, exchange rates and targets.

Single-row truth only: constraints, choices, cheap predicates. Every write goes through
``accord.sales.services`` (deals, pipelines, targets) or ``accord.sales.currency``
(exchange rates). ``Deal.status`` mirrors the kind of the deal's stage (open, won, lost)
and is kept by the services so the board, lists and forecast filter without a join.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accord.core.models import CustomFieldsMixin, OwnedModel, TimeStampedModel


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class DealKind(models.TextChoices):
    SALE = "sale", _("Sale")
    RENEWAL = "renewal", _("Renewal")
    DONATION = "donation", _("Donation")
    IN_KIND_DONATION = "in_kind_donation", _("In-kind donation")
    VOLUNTEER_HOURS = "volunteer_hours", _("Volunteer hours")


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    CLOSED = "closed", _("Closed")
    OMITTED = "omitted", _("Omitted")


class DealContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    CHAMPION = "champion", _("Champion")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("User")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    OTHER = "other", _("Other")


class DealSource(models.TextChoices):
    WEBSITE = "website", _("Website")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    ADVERTISING = "advertising", _("Advertising")
    EMAIL = "email", _("Email campaign")
    SOCIAL = "social", _("Social media")
    PARTNER = "partner", _("Partner")
    COLD_OUTREACH = "cold_outreach", _("Cold outreach")
    EXISTING_CUSTOMER = "existing_customer", _("Existing customer")
    OTHER = "other", _("Other")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class Pipeline(TimeStampedModel):
    """An ordered set of stages. ``teams`` empty: every user may use it."""

    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default pipeline"), default=False)
    teams = models.ManyToManyField(
        "accounts.Team", blank=True, related_name="+", verbose_name=_("limited to teams")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="sales_pipeline_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(TimeStampedModel):
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.CASCADE, related_name="stages", verbose_name=_("pipeline")
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    rotting_days = models.PositiveIntegerField(
        _("stalled after (days)"),
        null=True,
        blank=True,
        help_text=_("A deal longer than this in the stage counts as stalled. Empty: never."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=StageKind.choices, default="open")
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["pipeline_id", "order", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        indexes = [models.Index(fields=["pipeline", "order"], name="sales_stage_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100),
                name="sales_stage_probability_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LostReason(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["order", "name", "id"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")

    def __str__(self) -> str:
        return self.name


class Deal(OwnedModel, CustomFieldsMixin, TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="deals", verbose_name=_("pipeline")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StageKind.choices,
        default=StageKind.OPEN,
        help_text=_("The kind of the stage; kept by the services."),
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    company = models.ForeignKey(
        "contacts.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("company"),
    )
    contacts = models.ManyToManyField(
        "contacts.Contact",
        through="DealContact",
        blank=True,
        related_name="deals",
        verbose_name=_("contacts"),
    )
    source = models.CharField(_("source"), max_length=30, blank=True, choices=DealSource.choices)
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    next_step_due_date = models.DateField(_("next step due"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DealKind.choices, default="sale")
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=20,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
    )
    lost_reason = models.ForeignKey(
        LostReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("lost reason"),
    )
    lost_note = models.TextField(_("lost note"), blank=True)
    won_at = models.DateTimeField(_("won at"), null=True, blank=True)
    lost_at = models.DateTimeField(_("lost at"), null=True, blank=True)
    closed_amount = models.DecimalField(
        _("closed amount"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    stage_entered_at = models.DateTimeField(_("in stage since"))
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["pipeline", "status", "stage"], name="sales_deal_board_idx"),
            models.Index(fields=["stage", "stage_entered_at"], name="sales_deal_stage_at_idx"),
            models.Index(fields=["status", "expected_close_date"], name="sales_deal_close_idx"),
            models.Index(fields=["status", "won_at"], name="sales_deal_won_idx"),
            models.Index(fields=["lost_at", "id"], name="sales_deal_lost_idx"),
            models.Index(fields=["name", "id"], name="sales_deal_name_idx"),
            models.Index(fields=["amount", "id"], name="sales_deal_amount_idx"),
            models.Index(fields=["expected_close_date", "id"], name="sales_deal_ecd_idx"),
            models.Index(fields=["created_at", "id"], name="sales_deal_created_idx"),
            models.Index(fields=["updated_at", "id"], name="sales_deal_updated_idx"),
            models.Index(fields=["kind", "id"], name="sales_deal_kind_idx"),
            models.Index(fields=["forecast_category", "id"], name="sales_deal_fcat_idx"),
            models.Index(fields=["source", "id"], name="sales_deal_source_idx"),
            models.Index(fields=["currency", "id"], name="sales_deal_currency_idx"),
            models.Index(fields=["owner", "status"], name="sales_deal_owner_status_idx"),
            models.Index(fields=["team", "status"], name="sales_deal_team_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="sales_deal_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == StageKind.OPEN


class DealContact(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_contacts")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="deal_roles"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=DealContactRole.choices, default=DealContactRole.OTHER
    )

    class Meta:
        ordering = ["deal_id", "id"]
        verbose_name = _("deal contact")
        verbose_name_plural = _("deal contacts")
        constraints = [
            models.UniqueConstraint(fields=["deal", "contact"], name="sales_dealcontact_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} ({self.role})"


class StageChange(models.Model):
    """One move of a deal between stages (``from_stage`` empty: the deal was created).

    ``duration_seconds`` is the time the deal spent in ``from_stage`` before this move.
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    from_stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    duration_seconds = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["deal_id", "at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            models.Index(fields=["deal", "at"], name="sales_stagechange_deal_idx"),
            models.Index(fields=["pipeline", "at"], name="sales_stagechange_pipe_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} -> {self.to_stage_id}"


class ExchangeRate(TimeStampedModel):
    """``rate`` units of the base currency for one unit of ``currency``, from ``valid_from``."""

    currency = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(_("rate to base currency"), max_digits=20, decimal_places=10)
    valid_from = models.DateField(_("valid from"))

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "valid_from"], name="sales_exchangerate_unique"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="sales_exchangerate_rate_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} ({self.valid_from})"


class Target(TimeStampedModel):
    """A revenue target of one user or one team for a month or a quarter."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)

    class Meta:
        ordering = ["period_start", "id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="sales_target_user_xor_team",
            ),
            models.UniqueConstraint(
                fields=["user", "period_kind", "period_start"],
                condition=Q(user__isnull=False),
                name="sales_target_user_period_unique",
            ),
            models.UniqueConstraint(
                fields=["team", "period_kind", "period_start"],
                condition=Q(team__isnull=False),
                name="sales_target_team_period_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="sales_target_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.period_start}: {self.amount} {self.currency}"
