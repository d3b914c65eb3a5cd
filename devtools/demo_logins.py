"""The demo's published sign-in, kept apart from devtools/demo/ (which needs Django set up) so that
the deployment drill (deploy/drill.py) can sign in from outside the app."""

DEMO_PASSWORD = "icms-demo-pass"  # noqa: S105 - published in the README, demo only
# Every demo user's authenticator: add this key to any TOTP app (README). Demo only.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105
