"""Pre-arrival tasks: what each department prepares before a guest arrives ("carrot juice, large
glass, in the fridge of room 1208 by 14:00"), planned from the guest's preferences marked
"prepare before arrival", and marked done by staff."""
