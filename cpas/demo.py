"""Demo data: organisations, users and profiles for a newcomer to click through."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .access.models import Organisation, OrganisationKind, Profile, User
from .auth.passwords import hash_password
from .extensions import db

DEMO_PASSWORD = "Demo-Intranet-2026!"  # noqa: S105 - demo data only, printed on purpose

ORGANISATIONS = (
    ("CPAS de Demoville", OrganisationKind.CPAS, "99001", "accueil@cpas-demoville.be"),
    ("CPAS de Exempleville", OrganisationKind.CPAS, "99002", "info@cpas-exempleville.be"),
    ("CILE (démo)", OrganisationKind.DISTRIBUTOR, None, "fse@cile-demo.be"),
    ("CIESAC (démo)", OrganisationKind.DISTRIBUTOR, None, "fse@ciesac-demo.be"),
    ("SPGE (démo)", OrganisationKind.FUND_MANAGER, None, "fse@spge-demo.be"),
)


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    organisation: str
    profile: str  # French profile name; "Tous les accès" is built in


USERS = (
    DemoUser(
        "admin@cpas-demoville.be", "Anne", "Administratrice", "CPAS de Demoville", "Tous les accès"
    ),
    DemoUser(
        "as@cpas-demoville.be", "Sophie", "Lambert", "CPAS de Demoville", "Travailleur social"
    ),
    DemoUser(
        "agent@cpas-demoville.be", "Marc", "Dubois", "CPAS de Demoville", "Agent administratif"
    ),
    DemoUser(
        "dg@cpas-demoville.be",
        "Claire",
        "Martin",
        "CPAS de Demoville",
        "Directeur général / Secrétaire",
    ),
    DemoUser(
        "df@cpas-demoville.be",
        "Paul",
        "Lejeune",
        "CPAS de Demoville",
        "Directeur financier / Receveur",
    ),
    DemoUser(
        "admin@cpas-exempleville.be", "Eric", "Exemple", "CPAS de Exempleville", "Tous les accès"
    ),
    DemoUser("agent@cile-demo.be", "Julie", "Renard", "CILE (démo)", "Tous les accès"),
    DemoUser("agent@ciesac-demo.be", "Luc", "Moreau", "CIESAC (démo)", "Tous les accès"),
    DemoUser("gestion@spge-demo.be", "Nadia", "Collin", "SPGE (démo)", "Tous les accès"),
)


def ensure_all_access_profile(organisation: Organisation) -> Profile:
    """Return the organisation's built-in « Tous les accès » profile, creating it if needed."""
    profile = db.session.scalar(
        select(Profile).where(
            Profile.organisation_id == organisation.id, Profile.all_access.is_(True)
        )
    )
    if profile is None:
        profile = Profile(
            organisation_id=organisation.id,
            name_fr="Tous les accès",
            name_nl="Alle toegangen",
            all_access=True,
        )
        db.session.add(profile)
        db.session.flush()
    return profile


def seed_demo() -> list[tuple[DemoUser, bool]]:
    """Create or refresh the demo data; return each demo user and whether it was new."""
    db.session.info["write"] = True
    orgs: dict[str, Organisation] = {}
    for name, kind, ins, email in ORGANISATIONS:
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if org is None:
            org = Organisation(name=name, kind=kind.value, ins_code=ins, email=email)
            db.session.add(org)
            db.session.flush()
        orgs[name] = org
        ensure_all_access_profile(org)
    demoville = orgs["CPAS de Demoville"]
    for distributor in (orgs["CILE (démo)"], orgs["CIESAC (démo)"]):
        if distributor not in demoville.distributors:
            demoville.distributors.append(distributor)
    if orgs["CILE (démo)"] not in orgs["CPAS de Exempleville"].distributors:
        orgs["CPAS de Exempleville"].distributors.append(orgs["CILE (démo)"])

    from .access.services import ensure_template_profiles

    result = []
    for demo in USERS:
        org = orgs[demo.organisation]
        profiles = {p.name_fr: p for p in ensure_template_profiles(org)}
        profiles["Tous les accès"] = ensure_all_access_profile(org)
        user = db.session.scalar(select(User).where(User.email == demo.email))
        created = user is None
        if user is None:
            user = User(
                email=demo.email,
                first_name=demo.first_name,
                last_name=demo.last_name,
                organisation_id=org.id,
                password_hash=hash_password(DEMO_PASSWORD),
            )
            db.session.add(user)
            user.profiles = [profiles[demo.profile]]
        result.append((demo, created))
    db.session.commit()
    # Each domain adds its own demo data in cpas/<domain>/demo.py: seed(orgs) -> None.
    from .aid import demo as aid_demo
    from .centre import demo as centre_demo
    from .dossiers import demo as dossiers_demo
    from .inquiry import demo as inquiry_demo
    from .redi import demo as redi_demo
    from .registry import demo as registry_demo
    from .water_fund import demo as water_fund_demo

    for module in (
        registry_demo,
        centre_demo,
        dossiers_demo,
        aid_demo,
        inquiry_demo,
        water_fund_demo,
        redi_demo,
    ):
        module.seed(orgs)
        db.session.commit()
    db.session.info.pop("write", None)
    return result
