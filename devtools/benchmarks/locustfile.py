"""The people `manage.py benchmark_load` sends at the app: each locust user signs in as an
account of the plan (password, then the authenticator's code), then opens that account's pages
with a pause to read between them. Case managers now and then sign out and back in as another
case manager (a new shift), which keeps the login pages in the mix.

Runs under locust in its own virtualenv (make bench), without Django: everything it needs is in
the plan file named by ICMS_BENCH_PLAN, which benchmark_load writes.
"""

import itertools
import json
import os
import random
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
from locust import HttpUser, between, task

PLAN = json.loads(Path(os.environ["ICMS_BENCH_PLAN"]).read_text())
THINK = [float(part) for part in os.environ.get("ICMS_BENCH_THINK", "1,3").split(",")]
ROUND = int(os.environ.get("ICMS_BENCH_ROUND", "0"))
SLOTS = itertools.count()
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Person(HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        slot, mix = next(SLOTS), PLAN["mix"]
        self.role = mix[slot % len(mix)]
        # The n-th locust user of a role goes through every k-th account of that role from the
        # n-th (k: how many of that role there are), so no two share an account: a code works once.
        per_round = mix.count(self.role)
        nth = slot // len(mix) * per_round + mix[: slot % len(mix)].count(self.role)
        of_role = -(-PLAN["users"] // len(mix)) * per_round
        accounts = PLAN["accounts"][self.role][nth::of_role]
        # The measured run starts half-way along from where the warm-up did: a code used by the
        # run before would be refused.
        skip = ROUND * max(1, len(accounts) // 2) % len(accounts)
        self.accounts = itertools.cycle(accounts[skip:] + accounts[:skip])
        self.sign_in(next(self.accounts))

    def sign_in(self, account: dict) -> None:
        self.client.cookies.clear()
        self.account = account
        page = self.client.get(PLAN["login"], name="login page")
        credentials = {"username": account["username"], "password": PLAN["password"]}
        if not self.submit(page, credentials, "login: password", "password refused"):
            return
        code_page = self.client.get(PLAN["login_code"], name="login: code page")
        code = {"code": pyotp.TOTP(PLAN["totp_secret"]).now()}
        self.submit(code_page, code, "login: code", "code refused")

    def submit(self, form_page, data: dict, name: str, refusal: str) -> bool:
        """Post a form back to where it came from, as a browser does (with the page's CSRF
        token); the app accepts it with a redirect, anything else is a failure."""
        with self.client.post(
            form_page.url,
            data | {"csrfmiddlewaretoken": _csrf(form_page.content)},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                return True
            response.failure(f"{refusal} for {self.account['username']} ({response.status_code})")
            return False

    @task
    def open_a_page(self) -> None:
        pages = self.account["pages"]
        page = random.choices(pages, weights=[page["weight"] for page in pages])[0]  # noqa: S311
        if page["name"] == "sign out and in again":
            self.sign_in(next(self.accounts))
        elif page["name"] == "contact form (POST)":
            self.log_a_contact(page["url"])
        else:
            with self.client.get(page["url"], name=page["name"], catch_response=True) as response:
                if response.status_code != 200 or b'name="password"' in response.content:
                    response.failure(f"{page['url']} answered {response.status_code}")

    def log_a_contact(self, url: str) -> None:
        form = self.client.get(url, name="contact form (GET)")
        started = datetime.now(ZoneInfo(PLAN["time_zone"])) - timedelta(hours=2)
        contact = {
            "client_reference": str(uuid.uuid4()),
            "started_at": started.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "30",
            "mode": "phone",
            "kind": "outreach",
            "reached_young_person": "on",
            "notes": "Checked in by phone; things are settled at the placement this week.",
            "follow_up": "",
        }
        self.submit(form, contact, "contact form (POST)", "contact not saved")


def _csrf(page: bytes) -> str:
    match = CSRF.search(page)
    return match.group(1).decode() if match else ""
