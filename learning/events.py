"""Learning's own signals, for parts above the district services to follow (book clubs)
without the services importing them."""

from django.dispatch import Signal

# Sent inside the accepting transaction, with `invitation` and `user`, once an invitation
# to a district has been used (by its link or by verifying the invited address).
invitation_accepted = Signal()
