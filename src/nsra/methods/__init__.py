"""Method definitions as data files. A user's own method file is loaded the same way."""
