"""Published national figures the product compares a municipality with (domain.md § 6): uptake of
the age-determined offers in 2021, a covid-affected year (Danmarks Statistik, AED10/AED10A)."""

# Share of those offered who received a visit, per target group.
NATIONAL_UPTAKE_2021 = {"age_70_living_alone": 0.136, "age_75": 0.12, "age_80": 0.201, "age_82_plus": 0.18}
# All age-determined groups together: 50,696 recipients of 300,977 offered.
ALL_AGE_GROUPS_2021 = 0.168
