"""Who may see and do what with the event feeds: the policy for this app.

Subscriptions are configuration, like the external systems they belong to: the administrator
makes them, reads their delivery history and stops them. They hold no client record (a
delivery's body carries ids and codes only). What each system is sent is decided by its
account's scope, through clients.rules and referrals.rules (webhooks.events).
"""

import rules

from accounts.rules import is_administrator

rules.add_perm("webhooks.manage_subscriptions", is_administrator)
