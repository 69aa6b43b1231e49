"""The Council PDF of an aid request: a 4-page document (long report, proposal, 8 members).

    .venv/bin/python bench/aid_pdf.py [--runs 5]

Builds a throwaway SQLite instance with the demo data, a dossier whose de facto household
has 8 members and a request with a long report and proposal, then, in a fresh process,
posts « Imprimer (PDF) » with every part through the real route (bounded renderer: a
forked WeasyPrint child) and prints the time of each run, the pages and size of the PDF,
the worker's peak RSS (VmHWM) and the render child's (ru_maxrss of the children).
Target (issue 14): ≤ 1,5 s.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOCIAL_WORKER = "as@cpas-demoville.be"
MEMBERS = 8
PARAGRAPH = (
    "Madame vit avec ses enfants dans un logement dont le loyer dépasse la moitié de ses "
    "revenus ; la visite à domicile confirme l'état du logement et les arriérés. "
)


def report_text() -> str:
    """About two pages of report, in paragraphs as a social worker writes them."""
    return "\n\n".join(f"{n}. " + PARAGRAPH * 5 for n in range(1, 7))


def proposal_text() -> str:
    return "\n\n".join(f"Proposition {n} : " + PARAGRAPH * 2 for n in range(1, 4))


def prepare() -> None:
    """Demo data, a dossier of 8 de facto members, a request with report and proposal."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from cpas import create_app
    from cpas.access.models import User
    from cpas.aid import services
    from cpas.aid.lifecycle import AID
    from cpas.demo import seed_demo
    from cpas.dossiers import services as dossier_services
    from cpas.dossiers.models import Dossier
    from cpas.extensions import db
    from cpas.registry.adapters import get_register
    from cpas.registry.models import RegisterPerson
    from cpas.registry.numbers import niss_for
    from cpas.registry.phonetic import phonetic_key

    app = create_app()
    with app.app_context():
        upgrade(revision="heads")
        seed_demo()
        user = db.session.scalar(select(User).where(User.email == SOCIAL_WORKER))
        assert user is not None
        people = []
        for n in range(MEMBERS):
            born = date(1960, 1, 1) + timedelta(days=2100 * n + 17)
            last = "BENCHMARK" if n == 0 else ("BENCHMARK" if n % 2 else "VERHAEGEN")
            person = RegisterPerson(
                niss=niss_for(born, 700 + n),
                last_name=last,
                first_name=f"Membre{n}",
                last_key=phonetic_key(last),
                first_key=phonetic_key(f"Membre{n}"),
                sex="F" if n % 2 else "M",
                birth_date=born,
                birth_place="Namur",
                nationality="Belge",
                civil_state="Célibataire",
                registre="Registre de la population",
                household_id=990_001,
                is_head=n == 0,
                relation_to_head="Chef de ménage" if n == 0 else "Enfant",
                street="Rue du Banc d'Essai",
                house_number=str(10 + n),
                postal_code="5000",
                locality="Namur",
            )
            db.session.add(person)
            people.append(person)
        db.session.commit()
        register = get_register()
        address = dossier_services.Address("Rue du Banc d'Essai", "10", None, "5000", "Namur")
        main = register.by_ref(people[0].id)
        assert main is not None
        dossier, _created = dossier_services.create_dossier(user.organisation, main, address, user)
        for person in people[1:]:
            record = register.by_ref(person.id)
            assert record is not None
            dossier_services.add_member(dossier, record, address, "minor_child", None, user)
        today = date.today()
        request = services.create_request(
            db.session.get(Dossier, dossier.id),
            services.NewRequest(today, today, "demande", "Aide financière : arriérés de loyer."),
            user,
        )
        AID.fire(request, "report", user, request.version, {"report": report_text()})
        AID.fire(
            request,
            "proposal",
            user,
            request.version,
            {"proposal": proposal_text(), "meeting_date": today},
        )
        print(
            f"data: dossier {dossier.id} with {len(dossier.members)} de facto members, "
            f"request {request.id}: report {len(request.report or '')} characters, "
            f"proposal {len(request.proposal or '')} characters"
        )


def peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(runs: int) -> None:
    """Post « Imprimer (PDF) » ``runs`` times as the social worker, through the route."""
    from sqlalchemy import select

    from cpas import create_app
    from cpas.access.models import User
    from cpas.aid.models import AidRequest
    from cpas.aid.printing import parts
    from cpas.extensions import db
    from cpas.timeutil import utcnow

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == SOCIAL_WORKER))
        assert user is not None
        request = db.session.scalar(select(AidRequest).order_by(AidRequest.id.desc()).limit(1))
        assert request is not None
        url = f"/dossiers/{request.dossier_id}/demandes/{request.id}/impression/pdf"
        user_id, user_pk = user.get_id(), user.id
    client = app.test_client()
    with client.session_transaction() as session:
        now = utcnow().timestamp()
        session.update({"_user_id": user_id, "_fresh": True, "login_at": now, "seen": now})
    own = ["demande", "rapport", "proposition", "menage", "integrations"]
    for label, chosen in (
        ("the request's parts", [p for p in parts() if p.code in own]),
        ("every registered part", list(parts())),
    ):
        _measure_parts(app, client, url, request.id, user_pk, label, chosen, runs)
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print(
        f"peak RSS: worker {peak_rss_mb():.0f} MB, largest render child {child_mb:.0f} MB; "
        f"load average {load:.1f} on {os.cpu_count()} CPUs during the runs"
    )


def _measure_parts(
    app: Any,
    client: Any,
    url: str,
    request_id: int,
    user_pk: int,
    label: str,
    chosen: list,
    runs: int,
) -> None:
    from flask_login import login_user

    from cpas.access.models import User
    from cpas.aid import printing
    from cpas.aid.models import AidRequest
    from cpas.documents.pdf import render_pdf
    from cpas.extensions import db
    from tests.helpers import pdf_text

    codes = [p.code for p in chosen]
    times, pdf = [], b""
    for _ in range(runs):
        started = time.perf_counter()
        response = client.post(url, data={"partie": codes})
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        pdf = response.data
    # The same document rendered in the worker itself (no fork, no limit), for comparison.
    with app.test_request_context(url):
        login_user(db.session.get(User, user_pk))
        req = db.session.get(AidRequest, request_id)
        assert req is not None
        doc = printing.document(req, chosen)
        started = time.perf_counter()
        render_pdf("aid/print_pdf.html", dossier=req.dossier, aid_request=req, doc=doc)
        in_process = time.perf_counter() - started
    text = pdf_text(pdf.replace(b"\r\nendstream", b"\r\n\nendstream"))
    pages = re.search(r"Page 1 / (\d+)", text)
    print(
        f"council PDF, {label} ({', '.join(codes)}): {pages.group(1) if pages else '?'} "
        f"pages, {len(pdf) / 1024:.0f} KB; first {times[0]:.2f} s, median of {runs} "
        f"{statistics.median(times):.2f} s, worst {max(times):.2f} s (target ≤ 1,5 s); "
        f"WeasyPrint in the worker without the child {in_process:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        measure(args.runs)
        return
    with tempfile.TemporaryDirectory(prefix="cpas-bench-aid-pdf-") as folder:
        env = {**os.environ, "CPAS_INSTANCE_PATH": folder, "SECRET_KEY": secrets.token_hex(16)}
        os.environ.update(env)
        prepare()
        subprocess.run(
            [sys.executable, __file__, "--measure-only", "--runs", str(args.runs)],
            env=env,
            check=True,
            cwd=ROOT,
        )


if __name__ == "__main__":
    main()
