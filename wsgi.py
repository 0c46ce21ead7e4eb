from guestrel import create_app

app = create_app()
