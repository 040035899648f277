"""Who may see and do what in credentials, one module per concept: `evidence` (a
submission's evidence and a reviewer's own assignments) and `lead` (the lead reviewer
tools, calibration, another attempt). Every refusal is a 404: what exists is not
disclosed. Services do not check permissions; views call these first."""
