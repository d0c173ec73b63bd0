"""Rule data of the prescription package: intensity classes, the prescription rules, the protocol
library rules and one file per protocol."""
