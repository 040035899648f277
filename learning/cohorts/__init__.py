"""Book-club cohorts, by concept: who may see a cohort (permissions), the schedule, joining
and the waiting list, discussion, RSVPs and attendance, calendar feeds, reminders and
completion. The tables are in learning/models/cohorts.py."""
