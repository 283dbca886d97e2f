"""Who sees the statistics and who delivers them: team leaders and the municipality's admin see the
dashboards, the month-by-month quality and the deliveries; the admin (the reporting user) runs a
delivery and approves months. Consultants steer their own day, not the figures."""

import rules

from fhb.rules import is_municipality_admin, is_team_leader

rules.add_perm("reports.view_statistics", is_team_leader | is_municipality_admin)
rules.add_perm("reports.deliver", is_municipality_admin)
