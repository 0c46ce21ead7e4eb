"""A production example. Copy the variables below into the service's environment.

    # PostgreSQL is the production database; psycopg 3 is the driver.
    GUESTREL_DATABASE_URL=postgresql+psycopg://guestrel:CHANGE-ME@db.internal:5432/guestrel
    # A long random value, the same on every web and worker host.
    GUESTREL_SECRET_KEY=...                 # python -c "import secrets; print(secrets.token_urlsafe(48))"
    # Redis holds the job queue and shares rate limits and vendors' request limits across
    # processes and hosts.
    GUESTREL_REDIS_URL=redis://redis.internal:6379/0
    # Served behind TLS: session cookies get the Secure flag.
    GUESTREL_SECURE_COOKIES=1

    # Schema changes are applied by the operator, never at start-up:
    .venv/bin/flask --app wsgi db upgrade
    # Serve with gunicorn; put a TLS-terminating proxy (nginx, a load balancer) in front.
    .venv/bin/gunicorn --workers 4 --threads 8 --bind 127.0.0.1:8000 \
        --forwarded-allow-ips 127.0.0.1 --access-logfile - 'wsgi:app'
    # Background jobs (webhooks, polls, outbox deliveries, sweeps) on one or more worker hosts,
    # each kept running by the service manager (systemd Restart=always):
    .venv/bin/flask --app wsgi guestrel worker --threads 4

This module is documentation: it is not loaded by create_app.
"""
