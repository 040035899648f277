"""The Open Badges side of credentials: OB 2.0 JSON-LD (`ob2`), OB 3.0 credentials (`ob3`),
issuer signing keys (`keys`), the public documents and their cache (`public`, `cache`,
`changes`), baking, badge images and the learner's export. Reads models; never imports
services or views."""
