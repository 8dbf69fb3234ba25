"""mlcompliance: policy-as-code compliance checks for machine-learning projects."""
__version__ = "0.1.0"
