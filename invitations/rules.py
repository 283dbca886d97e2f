"""Who does what with letters: team leaders (and the admin) plan, approve, send and cancel batches
and keep the consultants' calendars; consultants and team leaders register responses and work the
call list; the admin edits the letter texts."""

import rules

from fhb.rules import is_consultant, is_municipality_admin, is_team_leader

rules.add_perm("invitations.plan_batches", is_team_leader | is_municipality_admin)
rules.add_perm("invitations.respond", is_consultant | is_team_leader)
rules.add_perm("invitations.edit_templates", is_municipality_admin)
rules.add_perm("invitations.edit_capacity", is_team_leader | is_municipality_admin)
