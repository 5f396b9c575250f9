-- One row per (kept event, property) that a privacy rule acted on: a forbidden key that was
-- dropped, an e-mail identifier that was hashed, an e-mail inside text that was redacted. Never
-- the value itself.
{{ kept_line_key_values('privacy_findings', 'finding') }}
