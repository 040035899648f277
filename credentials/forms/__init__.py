"""Forms of credentials' screens: `badges` (revoke, bulk award, a district's issuer
profile) and `lead` (rubric scores, another attempt, the report's period)."""
