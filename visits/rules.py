"""Who may record visits and read journal notes (health data, GDPR art. 9): consultants and team
leaders of the citizen's municipality; a municipality admin runs imports but reads no notes."""

import rules

from fhb.rules import is_consultant, is_municipality_admin, is_team_leader, same_municipality

rules.add_perm("visits.add_visit", is_consultant | is_team_leader)
rules.add_perm("visits.view_notes", is_consultant | is_team_leader)
rules.add_perm("visits.view_note", (is_consultant | is_team_leader) & same_municipality)
# Bookings, follow-ups and collective events are the consultants' and team leaders' work; a
# municipality admin may look at the event list but changes nothing.
rules.add_perm("visits.manage_events", is_consultant | is_team_leader)
rules.add_perm("visits.view_events", is_consultant | is_team_leader | is_municipality_admin)
