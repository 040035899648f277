"""Screens of credentials, one module per audience: `public` (the Open Badges contract
under /public/), `learner` (/my/badges/), `submissions` (/my/submissions/), `review`
(/review/), `lead` (/review/lead/), `district` (a district admin's issuer profile) and
`admin` (revoke and bulk award, served inside the Wagtail admin's Badges menu). Views
check permissions (`credentials.permissions`), then call selectors and services."""
