"""Container health check for `web`: is gunicorn answering? (/healthz's 503 means another part
is down, which restarting web would not fix, so it counts as alive here.)"""

import os
import sys
import urllib.error
import urllib.request

host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")
request = urllib.request.Request("http://127.0.0.1:8000/healthz", headers={"Host": host})
try:
    urllib.request.urlopen(request, timeout=5)  # noqa: S310 - fixed local URL
except urllib.error.HTTPError as error:
    sys.exit(0 if error.code == 503 else 1)
except OSError:
    sys.exit(1)
