"""Each learner's activity summed per school year, for the district's figures."""

from decimal import Decimal

from django.conf import settings
from django.db import models


class ActivityYear(models.Model):
    """A learner's activity in one school year: the ledger's entries that stand, pathways
    started and completed, self-assessments finished. Kept by the database on every write
    to those tables (`learning.activity_years`), so a district's figures read a row a
    member a year instead of every row. Never written by Leap's code; each column has a
    default in the database, as each table's triggers write only their own."""

    # Found by the unique (user, year_start) index: no index of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year_start = models.DateField()  # the first day of the school year
    badges = models.IntegerField(db_default=0)  # Leap's and those earned elsewhere
    hours = models.DecimalField(max_digits=9, decimal_places=1, db_default=Decimal("0"))
    pathways_started = models.IntegerField(db_default=0)
    pathways_completed = models.IntegerField(db_default=0)
    assessments = models.IntegerField(db_default=0)  # self-assessments finished

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "year_start"], name="learning_activity_year_once"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.user_id} {self.year_start}: {self.badges} badges, {self.hours} h,"
            f" {self.pathways_started} started, {self.pathways_completed} completed,"
            f" {self.assessments} self-assessments"
        )


class DistrictActivityYear(models.Model):
    """Changes to the activity of a district's active members in one school year, by school
    and role: the same sums as `ActivityYear`, over a group of members. Triggers add a row
    for every change (`learning.activity_years.DISTRICT_ACTIVITY`), never updating one, so
    awards to members of one school at once do not queue behind each other; `compact` sums
    each group's rows into one. The dashboard sums a district's rows: a few hundred, for
    any number of members. Ids, not foreign keys: a school or district deleted first moves
    its members out, with rows that net to nothing. Never written by Leap's code."""

    district_id = models.BigIntegerField()
    school_id = models.BigIntegerField(null=True)
    role = models.CharField(max_length=20)
    year_start = models.DateField()
    badges = models.BigIntegerField()
    hours = models.DecimalField(max_digits=14, decimal_places=1)
    pathways_started = models.BigIntegerField()
    pathways_completed = models.BigIntegerField()
    assessments = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["district_id"], name="learning_dact_district")]

    def __str__(self) -> str:
        return (
            f"district {self.district_id}, school {self.school_id}, {self.role}, {self.year_start}"
        )


class DistrictBadgeCount(models.Model):
    """Changes to how many badges of each micro-credential (or other page a badge is for)
    a district's active members hold, by school and role: the ledger's badge entries that
    stand. Kept like `DistrictActivityYear` (`learning.activity_years.DISTRICT_BADGES`):
    triggers add a row for every change and `compact` sums each group's rows into one. The
    coverage heatmap sums a district's rows for the pages aligned to a framework, rather
    than reading every badge its members hold. Never written by Leap's code."""

    district_id = models.BigIntegerField()
    school_id = models.BigIntegerField(null=True)
    role = models.CharField(max_length=20)
    page_id = models.BigIntegerField()
    badges = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["district_id"], name="learning_dbadge_district")]

    def __str__(self) -> str:
        return (
            f"district {self.district_id}, school {self.school_id}, {self.role},"
            f" page {self.page_id}: {self.badges}"
        )
