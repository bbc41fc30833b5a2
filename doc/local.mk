# Man pages (doc/): generated from scdoc sources.
