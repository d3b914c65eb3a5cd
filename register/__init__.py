"""The divisional high-risk youth register, fortnightly reviews and liaison meetings (issue 8)."""
