"""Small assessments for the strategy analysis, on the Dutch method (nl-snv: likelihood A..E
over five years; cascades not counted in risk)."""
