"""The front desk's boards: a hotel's arrivals of the day with what to prepare and what to
know, the guests in house and the day's departures, and checking a guest in from there."""
