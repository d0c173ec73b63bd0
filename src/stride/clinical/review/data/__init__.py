"""Rule data of the review package: the weekly review rules."""
