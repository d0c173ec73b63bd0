"""Unit tests of stride.clinical.trd: TRD definition and Maudsley staging."""
