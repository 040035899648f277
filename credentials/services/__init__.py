"""Every write in credentials that matters, by concept: `badges` (issuing, revoking,
baking, expiry reminders), `issuers` (the platform's and districts' profiles), `bulk`
(awards from a CSV), `evidence` (submissions and artifacts), `review` (assignment, scoring,
decisions, pools) and `calibration` (exemplars and reviewers' calibration). Keyword-only
arguments, one transaction each, permission-agnostic; problems are raised as
`accounts.errors.LeapError`. Import from the module that owns the write."""
