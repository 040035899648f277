"""Learning's own signals, for parts above the district services to follow (book clubs,
the district webhooks) without the services importing them. Each is sent inside the
transaction that made the change."""

from django.dispatch import Signal

# Sent inside the accepting transaction, with `invitation` and `user`, once an invitation
# to a district has been used (by its link or by verifying the invited address).
invitation_accepted = Signal()

# Sent with `enrolment` once a pathway enrolment is completed (once: it stays completed).
pathway_completed = Signal()

# Sent with `member` (a CohortMember) once a member completes a book club (once).
cohort_completed = Signal()
