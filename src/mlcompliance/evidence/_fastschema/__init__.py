"""Quick validators generated from the shipped JSON Schemas (see mlcompliance.schemas.fast_validator)."""
