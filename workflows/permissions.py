"""Who may do what in the admin: one table, as data, asked by every admin screen.

A row is a screen (the Flask-Admin view's `endpoint`, the first part of its Flask endpoint:
`admin_unit` for `admin_unit.edit_view`) and, for each action, the staff roles that may use
it. A town's `admin` holds every role of the town (as in the workflow engine), so rows name
the working roles; `admin` alone marks what only an admin does (staff accounts, settings).
`superadmin` is portal-wide (towns).

Actions of a model screen (blueprints/admin/base.py `TownModelView`):
    list      the screen itself (its menu entry, the list, its searches and lookups)
    view      an object's details
    create, edit, delete
    export    the CSV export
    any batch action by its name (`delete` for the delete batch action)
Actions of a custom screen (a Flask-Admin `BaseView` with `StaffOnly`): `list` opens the
screen and every page of it; a row may name one of its methods (the exposed function's
name, e.g. `decide`) to give that page other roles. An action missing from a row is
refused to everyone; a screen without a row is refused to everyone (and
tests/admin/test_permissions.py fails, naming it).

To add a screen: add its row below (endpoint -> {action: roles}), register the view with
that endpoint; nothing else. The test walks every admin endpoint of the app against this
table, for every role and for a staff member of another town.
"""

from __future__ import annotations

STAFF_ROLES = ("approver", "finance", "editor", "reviewer", "animator", "late_changes", "admin")
ROLES = (*STAFF_ROLES, "superadmin")

# The roles' names for people (the staff accounts' checkboxes).
ROLE_LABELS = {
    "approver": "Instruction des demandes (réservations, inscriptions, familles en lecture)",
    "finance": "Régie (tarifs, quotient familial, facturation, paiements)",
    "editor": "Rédaction (actualités, pages, menus, documents)",
    "reviewer": "Relecture (publier ou renvoyer les contenus)",
    "animator": "Animation (pointage des présences)",
    "late_changes": "Réserver ou annuler pour une famille après le délai",
    "admin": "Administration de la commune (tout, comptes des agents et réglages compris)",
    "superadmin": "Administration du portail (toutes les communes)",
}

A = frozenset({"approver"})
F = frozenset({"finance"})
AF = A | F
ADMIN = frozenset({"admin"})
EDITOR = frozenset({"editor"})
REVIEWER = frozenset({"reviewer"})
ANIMATOR = frozenset({"animator"})
ANY_STAFF = frozenset(STAFF_ROLES)
SUPERADMIN = frozenset({"superadmin"})

READ_FAMILIES = {"list": AF, "view": AF}
CATALOGUE = {"list": AF, "view": AF, "create": ADMIN, "edit": ADMIN, "delete": ADMIN}
FINANCE_ONLY = {"list": F, "view": F}

TABLE: dict[str, dict[str, frozenset[str]]] = {
    # the admin's home
    "admin": {"list": ANY_STAFF},
    # approvers: requests, enrolments, reading families
    "admin_worklist": {"list": A},
    "admin_enrolment_requests": {"list": A},
    "admin_household": {**READ_FAMILIES, "create": ADMIN, "edit": F},  # F: the QF
    "admin_guardian": {**READ_FAMILIES, "create": ADMIN, "edit": ADMIN},
    "admin_child": {**READ_FAMILIES, "create": ADMIN, "edit": ADMIN},
    "admin_householdchange": READ_FAMILIES,
    "admin_enrolment": {"list": A, "view": A, "create": A, "edit": A},
    "admin_request": READ_FAMILIES,
    "admin_requestline": READ_FAMILIES,
    "admin_booking": READ_FAMILIES,
    "admin_childallergen": {"list": A, "view": A, "create": A, "edit": A, "delete": A},
    "admin_workflowhistory": {"list": AF, "view": AF, "export": ADMIN},
    # the catalogue: read by those who work with it, changed by the town's admin
    "admin_service": CATALOGUE,
    "admin_site": CATALOGUE,
    "admin_unit": CATALOGUE,
    "admin_enrolmentoffer": CATALOGUE,
    "admin_closure": {"list": A, "view": A, "create": ADMIN, "delete": ADMIN},
    # the billing office
    "billing_office": {"list": F},
    "billing_prices": {**FINANCE_ONLY, "create": F, "edit": F, "delete": F},
    "billing_invoices": FINANCE_ONLY,
    "billing_payments": FINANCE_ONLY,
    "billing_credit_notes": FINANCE_ONLY,
    "billing_absences": {**FINANCE_ONLY, "create": F, "edit": F},
    # content
    "admin_content": {  # reviewers read and publish (the CONTENT workflow says who moves what)
        "list": EDITOR | REVIEWER,
        "new": EDITOR,
        "create": EDITOR,
        "update": EDITOR,
        "delete": EDITOR,
    },
    "admin_content_review": {"list": REVIEWER},
    "admin_folders": {"list": EDITOR},
    # the staff's day
    "admin_kitchen": {"list": A},  # Effectifs repas (day, week, PDF, CSV)
    "admin_attendance": {"list": ANIMATOR | A},  # Pointage (phones)
    # Dossier foyer; booking for the family; ending an enrolment (its place goes to the
    # line); a shared child's custody pattern
    "admin_household_file": {"list": AF, "book": A, "end_enrolment": ADMIN, "custody": A},
    "admin_messages": {"list": A},  # Message aux familles
    "admin_figures": {"list": AF},  # Chiffres du mois
    "admin_exports": {  # the screen, then each kind of export
        "list": AF,
        "reservations": A,
        "pointage": A,
        "foyers": A,
        "factures": F,
        "reglements": F,
    },
    "admin_walk_in_prices": {"list": F},  # Tarifs sans réservation
    # limited places: the town's rules, then a verifiable draw
    "admin_opening": {"list": ADMIN, "view": ADMIN, "create": ADMIN, "apercu": ADMIN},
    # the town's admin only
    "admin_staff_tokens": {"list": ADMIN},  # Jetons d'API agents
    "admin_jobs": {"list": ADMIN, "retry": ADMIN, "delete": ADMIN},  # Travaux en arrière-plan
    "admin_account": {"list": ADMIN, "view": ADMIN, "edit": ADMIN},
    "admin_invitations": {"list": ADMIN},
    "admin_staff": {  # Agents: invite, deactivate, reactivate, reset the second factor
        "list": ADMIN,
        "invite": ADMIN,
        "deactivate": ADMIN,
        "reactivate": ADMIN,
        "reset_second_factor": ADMIN,
    },
    "admin_auditentry": {"list": ADMIN, "view": ADMIN, "export": ADMIN},  # read only, ever
    "admin_journal": {"list": ADMIN, "export": ADMIN},  # history and audit together
    # the town's settings and school years (the admin only; the years are read by the rules)
    "admin_town_settings": {"list": ADMIN, "logo": ADMIN, "regenerate": ADMIN},
    "admin_schoolyear": {
        "list": ADMIN,
        "view": ADMIN,
        "create": ADMIN,
        "edit": ADMIN,
        "delete": ADMIN,
    },
    # the portal's towns: the super-admin only
    "admin_towns": {"list": SUPERADMIN},
}


def has_row(screen: str) -> bool:
    return screen in TABLE


def roles_for(screen: str, action: str) -> frozenset[str]:
    """The roles that may use `action` on `screen` (none for an unknown screen or action)."""
    return TABLE.get(screen, {}).get(action, frozenset())


def allowed(roles: frozenset[str] | set[str], screen: str, action: str = "list") -> bool:
    """May someone holding `roles` (already expanded: a town's admin holds every staff
    role, see Actor.roles_on) use `action` on `screen`? The one question every admin
    screen asks."""
    if "superadmin" in roles:
        roles = set(roles) | set(STAFF_ROLES)
    return bool(roles_for(screen, action) & set(roles))


def parse_roles(text: str) -> frozenset[str]:
    """An account's stored roles (comma-separated), keeping only known ones."""
    return frozenset(r.strip() for r in (text or "").split(",") if r.strip() in ROLES)
