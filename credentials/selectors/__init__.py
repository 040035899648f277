"""Reads used by more than one screen, by concept: badges (public pages, a learner's
badges, which issuer awards), evidence (submissions, attempts, what is missing), review
(queues, eligible reviewers, calibration) and reports (lead reviewers' numbers).
Named `<noun>_list` for many things and `<noun>_get` for one; keyword-only arguments.
Selectors never import services."""
