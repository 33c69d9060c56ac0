"""The web application: editors\x27 review pages and the read API (``newsdedup serve``)."""
