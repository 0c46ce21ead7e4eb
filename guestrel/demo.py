def seed(guest_count=300):
    yield "TODO"
