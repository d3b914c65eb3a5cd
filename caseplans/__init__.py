"""Case plans: goals and the action table, crisis and exit plans (issue 7)."""
