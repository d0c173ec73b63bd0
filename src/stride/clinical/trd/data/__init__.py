"""Rule data of the TRD package: trial adequacy, failure and MSM rules; the antidepressant table."""
