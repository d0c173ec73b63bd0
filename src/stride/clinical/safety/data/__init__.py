"""Rule data of the safety package: the screen, the condition and medication catalogues, the
safety-net rules."""
