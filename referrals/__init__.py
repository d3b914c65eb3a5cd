"""Referrals from child protection, triage, agreements and consultations (issue 6)."""
