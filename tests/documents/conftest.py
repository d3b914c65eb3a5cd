# A referral under consideration whose listing is confirmed, as the acceptance tests make it.
from tests.referrals.test_acceptance import referral  # noqa: F401
