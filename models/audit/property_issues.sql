-- One row per optional property that a kept event carried with a wrong type, a value outside
-- its enumeration, or a blank value, and that was therefore nulled.
{{ kept_line_key_values('property_issues', 'issue') }}
