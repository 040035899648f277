"""URL confs of credentials, one per screen family; `cms.urls` mounts each under its
prefix: `public` at /public/ (the Open Badges contract), `learner` at /my/badges/,
`submissions` at /my/submissions/, `review` at /review/, `lead` at /review/lead/ and
`district` at /district/. The Wagtail admin screens are routed by their viewsets."""
