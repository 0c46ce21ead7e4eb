"""Check-in alerts: what the front desk must know the moment a guest checks in, pushed live to
the hotel's open front-desk pages, and the alert rules that add to it."""
